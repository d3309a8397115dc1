import { Client } from 'pg';
import type { Logger } from 'pino';

export interface ListenerHooks {
  /** the connection is listening: notifications will arrive from now on */
  up?(): void;
  /** the connection is lost or stopped: notifications may be missed until the next up() */
  down?(): void;
  /** logged (warn) when the connection is lost, saying what that costs meanwhile */
  lostMessage: string;
}

/**
 * A dedicated PostgreSQL connection that LISTENs on some channels and hands each notification's
 * payload to its channel's handler. pg_notify is delivered at commit, so a handler sees changes
 * other processes committed. If the connection drops it reconnects every 2 s; the hooks let the
 * owner stop trusting a cache while notifications could be missed.
 */
export class PgListener {
  private client?: Client;
  private stopped = false;
  private retry?: NodeJS.Timeout;

  constructor(
    private readonly url: string,
    private readonly logger: Logger,
    private readonly handlers: Record<string, (payload: string) => void>,
    private readonly hooks: ListenerHooks,
  ) {}

  async start(): Promise<void> {
    if (this.stopped) return;
    const client = new Client({ connectionString: this.url });
    client.on('notification', (msg) => {
      if (msg.payload) this.handlers[msg.channel]?.(msg.payload);
    });
    const lost = (err?: Error) => {
      if (this.client !== client) return;
      this.client = undefined;
      this.hooks.down?.();
      if (!this.stopped) {
        this.logger.warn({ err }, this.hooks.lostMessage);
        this.retry = setTimeout(() => void this.start(), 2000);
      }
      void client.end().catch(() => undefined);
    };
    client.on('error', lost);
    client.on('end', () => lost());
    try {
      await client.connect();
      for (const channel of Object.keys(this.handlers)) await client.query(`listen ${channel}`);
      // stopped while connecting (a retry under way at shutdown): this connection is nobody's to end
      if (this.stopped) {
        await client.end().catch(() => undefined);
        return;
      }
      this.client = client;
      this.hooks.up?.();
    } catch (err) {
      this.client = client;
      lost(err as Error);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    this.hooks.down?.();
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
