import { inNewWorkContext } from './work-context';
import type { DataSource } from 'typeorm';
import { runAlone } from '@connector/persistence';
import { SingleFlight } from './single-flight';

export interface PeriodicWorkerOptions {
  /** What the worker does, for its error messages ("outbox relay", "audit log pruning"). */
  name: string;
  /** One pass: do what is due. A pass that throws is reported and the next one runs as usual. */
  pass: () => Promise<unknown>;
  /** Time between passes started by the clock. Kicks start passes in between. */
  everyMs: number;
  /** Reports a failed pass; the worker carries on. */
  onError: (message: string, err: Error) => void;
  /** Start the first pass right away (default) or only after `everyMs`. */
  runAtStart?: boolean;
  /** Keep the process alive for this timer? Housekeeping workers say no (default: yes). */
  keepsProcessAlive?: boolean;
  /** How long stop() waits for a pass under way; unset = until it ends. */
  stopWaitMs?: number;
}

/**
 * The life of a background loop, written once: a pass every `everyMs` and on each kick, one
 * pass at a time (a kick during a pass earns one more right after it), failures reported
 * and survived, and a stop that lets the pass under way finish (or not wait, see stopWaitMs).
 */
export class PeriodicWorker {
  private timer?: NodeJS.Timeout;
  private readonly flight: SingleFlight;

  constructor(private readonly options: PeriodicWorkerOptions) {
    // Each pass is work of its own: not under the correlation id of whatever kicked it.
    this.flight = new SingleFlight(() => inNewWorkContext({}, options.pass), (err) => options.onError(`${options.name} failed: ${err.message}`, err));
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.flight.kick(), this.options.everyMs);
    if (this.options.keepsProcessAlive === false) this.timer.unref();
    if (this.options.runAtStart !== false) this.flight.kick();
  }

  /** Asks for a pass now (or right after the one under way). */
  kick(): void {
    this.flight.kick();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flight.stop(this.options.stopWaitMs);
  }
}

/**
 * Housekeeping (deleting rows past their time): hourly (unless `everyMs` says otherwise), not at start-up, and never what keeps
 * the process alive. One replica at a time runs it (runAlone: a PostgreSQL advisory lock named
 * after the job); a replica that finds it running skips its pass. `database` is read at each pass
 * (the service's DataSource, which may not be injected yet when the worker is made).
 */
export function housekeeping(name: string, database: () => DataSource, pass: () => Promise<unknown>, onError: (message: string) => void, everyMs = 3600_000): PeriodicWorker {
  return new PeriodicWorker({ name, pass: () => runAlone(database(), name, pass), everyMs, runAtStart: false, keepsProcessAlive: false, onError });
}
