/** After failed reads in a row the wait doubles each time, up to this (or the period, if longer). */
export const BACKOFF_MAX_SECONDS = 60;

export interface PollerOptions<T> {
  /** One read; `signal` aborts it when its answer is no longer wanted. */
  read: (signal: AbortSignal) => Promise<T>;
  seconds: number;
  onData: (data: T) => void;
  onError: (error: unknown) => void;
  /** A hidden tab skips its reads. */
  visible?: () => boolean;
}

/**
 * Reads now, then again `seconds` after each read has ended, so reads never overlap however slow the
 * gateway is. `now()` (new inputs, or a change just made) aborts the read under way and drops its
 * answer; `stop()` too. After a failure the next read waits longer (5, 10, 20, 40, 60 s…).
 */
export class Poller<T> {
  private current: AbortController | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private failures = 0;
  private stopped = false;

  constructor(private readonly options: PollerOptions<T>) {}

  now(): void {
    if (this.stopped) return;
    this.current?.abort();
    clearTimeout(this.timer);
    const mine = new AbortController();
    this.current = mine;
    this.options.read(mine.signal).then(
      (data) => this.ended(mine, () => this.options.onData(data), true),
      (error: unknown) => this.ended(mine, () => this.options.onError(error), false),
    );
  }

  stop(): void {
    this.stopped = true;
    this.current?.abort();
    this.current = undefined;
    clearTimeout(this.timer);
  }

  /** Seconds from the end of one read to the next. */
  wait(): number {
    const { seconds } = this.options;
    // A single failure (a blip) is read again at the usual time; each next one waits twice as long.
    return Math.min(seconds * 2 ** Math.max(0, this.failures - 1), Math.max(seconds, BACKOFF_MAX_SECONDS));
  }

  private ended(mine: AbortController, tell: () => void, succeeded: boolean): void {
    // Aborted: a newer read (other inputs) or none (stopped) has taken its place.
    if (mine.signal.aborted || this.stopped) return;
    this.current = undefined;
    this.failures = succeeded ? 0 : this.failures + 1;
    tell();
    this.schedule();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (this.options.visible?.() ?? true) this.now();
      else this.schedule();
    }, this.wait() * 1000);
  }
}
