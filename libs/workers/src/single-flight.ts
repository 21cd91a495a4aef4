/**
 * Runs `work` one pass at a time. A kick during a pass asks for one more pass right after
 * it, so nothing written meanwhile waits for the next timer; kicks are cheap and may come
 * from timers, NOTIFY and commits alike.
 */
export class SingleFlight {
  private running?: Promise<void>;
  private again = false;
  private stopped = false;

  constructor(
    private readonly work: () => Promise<unknown>,
    private readonly onError: (err: Error) => void,
  ) {}

  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.work()
      .then(
        () => undefined,
        (err) => this.onError(err instanceof Error ? err : new Error(String(err))),
      )
      .finally(() => {
        this.running = undefined;
        if (this.again && !this.stopped) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** No new pass starts; waits for the one under way (at most `waitMs`, when given). */
  async stop(waitMs?: number): Promise<void> {
    this.stopped = true;
    if (!this.running) return;
    if (waitMs === undefined) return this.running;
    await settleWithin(this.running, waitMs);
  }
}

/** Waits for `promise` to settle, or `ms` to pass, whichever comes first; never throws. */
export async function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise.then(
      () => undefined,
      () => undefined,
    ),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
  ]);
  clearTimeout(timer);
}

export type Outcome<T> = { status: 'fulfilled'; value: T } | { status: 'rejected'; reason: unknown } | { status: 'timeout' };

/** Like settleWithin, but says how the promise settled (or that `ms` passed first). */
export async function outcomeWithin<T>(promise: Promise<T>, ms: number): Promise<Outcome<T>> {
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race<Outcome<T>>([
    promise.then(
      (value) => ({ status: 'fulfilled' as const, value }),
      (reason: unknown) => ({ status: 'rejected' as const, reason }),
    ),
    new Promise<Outcome<T>>((resolve) => (timer = setTimeout(() => resolve({ status: 'timeout' }), ms))),
  ]);
  clearTimeout(timer);
  return outcome;
}
