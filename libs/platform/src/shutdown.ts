/** How a process stops on SIGTERM or SIGINT (see exitOnSignals). */
export interface ShutdownOptions {
  /** The process, for its log lines. */
  name: string;
  /** The longest the whole shutdown may take (SHUTDOWN_TIMEOUT_SECONDS). */
  timeoutMs: number;
  /**
   * Stops taking work and lets the work under way finish: no new HTTP connections or NATS
   * requests come in (other replicas get them), those under way are answered.
   */
  stopIntake: () => Promise<void>;
  /** Runs the app's shutdown hooks (Nest's app.close: beforeApplicationShutdown, then onApplicationShutdown). */
  close: (signal: NodeJS.Signals) => Promise<void>;
  /** process.exit, unless a test says otherwise. */
  exit?: (code: number) => void;
  /** Where the lines go; stderr by default (printed whatever LOG_LEVEL says). */
  write?: (line: string) => void;
}

/**
 * The first SIGTERM or SIGINT stops the process in order: intake first, then the app's hooks
 * (each component hands back or finishes what it holds), then exit 0. A shutdown that has not
 * ended within `timeoutMs` (a hook that hangs, a silent database) exits 1 at the deadline; a
 * second signal exits 1 at once. Exit codes say whether the shutdown was clean.
 */
export function exitOnSignals(options: ShutdownOptions): void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const seconds = options.timeoutMs / 1000;
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      write(`${options.name}: ${signal} again: exiting now, without finishing the shutdown`);
      exit(1);
      return;
    }
    stopping = true;
    write(`${options.name}: ${signal}: stopping (taking no more work, finishing what runs; at most ${seconds} s)`);
    const deadline = setTimeout(() => {
      write(`${options.name}: did not stop within ${seconds} s (SHUTDOWN_TIMEOUT_SECONDS): exiting anyway`);
      exit(1);
    }, options.timeoutMs);
    const stop = async () => {
      await options.stopIntake();
      await options.close(signal);
    };
    stop().then(
      () => {
        clearTimeout(deadline);
        write(`${options.name}: stopped`);
        exit(0);
      },
      (err: unknown) => {
        clearTimeout(deadline);
        write(`${options.name}: shutdown failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
