import { Presets, SingleBar } from 'cli-progress';

/**
 * The one progress reporter of the `provisio` command's long operations (`audit export`,
 * `attribute remove`, `import`). It writes to stderr only, so stdout keeps the command's output
 * (an export stream, or exactly one JSON document under --json):
 * - a cli-progress bar when stderr is a terminal, or when forced (`--progress`, PROVISIO_PROGRESS=1);
 * - under `--json`, JSON lines instead: `{"progress":{"done":N,"total":M}}`, one per step;
 * - nothing otherwise, or with `--no-progress` / PROVISIO_PROGRESS=0.
 */
export interface Progress {
  /** the amount of work is known (it may grow: `update` raises the total when done passes it) */
  start(total: number): void;
  /** `done` units of the total are finished */
  update(done: number): void;
  /** the work ended (finished or failed); the bar is closed with a newline */
  stop(): void;
}

export interface ProgressOptions {
  /** what the bar says it counts, e.g. "audit export" */
  label: string;
  /** the unit, plural, e.g. "entries" */
  unit: string;
  /** `--json`: JSON lines instead of a bar */
  json?: boolean;
  /** `--progress` (true) / `--no-progress` (false); undefined: PROVISIO_PROGRESS, else whether stderr is a terminal */
  force?: boolean;
  env?: NodeJS.ProcessEnv;
  stream?: NodeJS.WriteStream;
}

const NONE: Progress = { start: () => undefined, update: () => undefined, stop: () => undefined };

/** Whether progress is shown: the option, else PROVISIO_PROGRESS (1/0), else whether the stream is a terminal. */
export function progressWanted(force: boolean | undefined, env: NodeJS.ProcessEnv, stream: { isTTY?: boolean }): boolean {
  if (force !== undefined) return force;
  const v = env.PROVISIO_PROGRESS?.trim().toLowerCase();
  if (v === '1' || v === 'true' || v === 'yes') return true;
  if (v === '0' || v === 'false' || v === 'no') return false;
  return stream.isTTY === true;
}

export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  if (!progressWanted(options.force, options.env ?? process.env, stream)) return NONE;
  return options.json ? jsonProgress(stream) : barProgress(stream, options);
}

/** Lines written off a terminal (JSON lines, or the bar's text) are at most one per this many ms, plus the first and the last. */
const LINE_INTERVAL_MS = 250;

/**
 * Calls `emit(done)` for the first and last value and, between them, at most every LINE_INTERVAL_MS
 * and only when the value changed: an export reports every record, its reader wants a few lines.
 */
function throttled(emit: (done: number) => void): { update(done: number, force?: boolean): void; mark(done: number): void; flush(): void } {
  let shown = -1;
  let latest = -1;
  let at = 0;
  return {
    update(done, force = false) {
      latest = done;
      if (done === shown) return;
      const now = Date.now();
      if (!force && shown >= 0 && now - at < LINE_INTERVAL_MS) return;
      shown = done;
      at = now;
      emit(done);
    },
    /** `done` was shown by other means */
    mark(done) {
      latest = shown = done;
      at = Date.now();
    },
    flush() {
      if (latest >= 0 && latest !== shown) {
        shown = latest;
        emit(latest);
      }
    },
  };
}

/** `{"progress":{"done":N,"total":M}}` lines. */
function jsonProgress(stream: NodeJS.WritableStream): Progress {
  let total = 0;
  const lines = throttled((done) => void stream.write(JSON.stringify({ progress: { done, total } }) + '\n'));
  return {
    start(t) {
      total = t;
      lines.update(0, true);
    },
    update(done) {
      total = Math.max(total, done);
      lines.update(done, done === total);
    },
    stop: () => lines.flush(),
  };
}

/**
 * A cli-progress bar. Forced onto a stream that is not a terminal (a log file, a test), it writes a
 * line per step (`noTTYOutput`), at most every LINE_INTERVAL_MS, instead of nothing; on a terminal
 * cli-progress redraws the one line at its own pace.
 */
function barProgress(stream: NodeJS.WriteStream, options: ProgressOptions): Progress {
  const bar = new SingleBar(
    {
      stream,
      format: `${options.label} [{bar}] {percentage}% {value}/{total} ${options.unit}`,
      noTTYOutput: true,
      notTTYSchedule: 60_000, // lines are written by `update` below
      // off a terminal the final line stays as written; no extra blank line
      clearOnComplete: !stream.isTTY,
      // Ctrl-C must still end the command: no SIGINT handler, and so no hidden cursor to restore
      hideCursor: false,
      gracefulExit: false,
    },
    Presets.shades_classic,
  );
  let started = false;
  // off a terminal, a line per step (the last one is written by stop)
  const lines = throttled(() => bar.render());
  const stop = () => {
    if (!started) return;
    started = false;
    bar.stop();
  };
  return {
    start(total) {
      started = true;
      bar.start(total, 0); // renders the first line
      lines.mark(0);
      process.once('exit', stop); // `| head` ends the process at once (EPIPE): still close the bar
    },
    update(done) {
      if (!started) return;
      if (done > bar.getTotal()) bar.setTotal(done);
      bar.update(done);
      if (!stream.isTTY && done < bar.getTotal()) lines.update(done);
    },
    stop() {
      process.removeListener('exit', stop);
      stop();
    },
  };
}
