/** The longest a feed read may wait for the next event (GET /events `wait`, GraphQL `events(wait:)`). */
export const MAX_WAIT_SECONDS = 30;
/** How often a waiting read looks again. */
export const LONG_POLL_INTERVAL_MS = 250;
/** Long polls allowed to wait at once in this process; beyond it an empty page is answered at once. */
export const MAX_LONG_POLLS = 100;

/**
 * The long-poll mechanism of the event feed, shared by GET /events and GraphQL `events(wait:)`: an
 * empty read is repeated every LONG_POLL_INTERVAL_MS until it finds something, the wait is over or
 * the client went away. At most `max` reads wait at once (one process-wide budget for both APIs);
 * past it the first, empty answer is returned at once and the client simply polls again.
 */
export class LongPoll {
  private waiting = 0;

  constructor(
    readonly max = MAX_LONG_POLLS,
    private readonly intervalMs = LONG_POLL_INTERVAL_MS,
  ) {}

  /** Reads waiting now. */
  get active(): number {
    return this.waiting;
  }

  async poll<T>(read: () => Promise<T>, isEmpty: (page: T) => boolean, waitMs: number, gone: () => boolean = () => false): Promise<T> {
    const deadline = this.waiting < this.max ? Date.now() + Math.min(Math.max(waitMs, 0), MAX_WAIT_SECONDS * 1000) : 0;
    let page = await read();
    if (!isEmpty(page) || Date.now() + this.intervalMs > deadline) return page;
    this.waiting++;
    try {
      while (isEmpty(page) && !gone() && Date.now() + this.intervalMs <= deadline) {
        await new Promise((r) => setTimeout(r, this.intervalMs));
        page = await read();
      }
    } finally {
      this.waiting--;
    }
    return page;
  }
}
