/**
 * Runs a worker's `work` one pass at a time. A kick during a pass asks for one more pass
 * right after it, so nothing written meanwhile waits for the next timer; kicks are cheap
 * and may come from timers, NOTIFY and commits alike.
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
      .then(() => undefined, (err) => this.onError(err instanceof Error ? err : new Error(String(err))))
      .finally(() => {
        this.running = undefined;
        if (this.again && !this.stopped) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** No new pass starts; waits for the one under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }
}
