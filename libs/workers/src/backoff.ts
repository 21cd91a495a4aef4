export interface BackoffPolicy {
  /** The first wait, before jitter. */
  baseMs: number;
  /** No wait is longer than this. */
  maxMs: number;
  /**
   * The share of each wait that is random (0..1). Retries of many rows or replicas that failed
   * together then spread out instead of coming back in lock-step. Default 0.5: each wait lies
   * between half and all of the exponential one.
   */
  jitter?: number;
}

/**
 * How long to wait before try number `attempt + 1`, after `attempt` failed tries (1 = the
 * first failed): base·2^(attempt−1), capped, with part of it random.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  const jitter = Math.min(1, Math.max(0, policy.jitter ?? 0.5));
  return Math.round(exponential * (1 - jitter) + exponential * jitter * random());
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface RetryOptions extends BackoffPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  /** Whether an error is worth another try (default: every error is). */
  retriable?: (err: unknown) => boolean;
  /** Told about each failed try that will be retried. */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
}

/** Runs `work` until it succeeds, the error is final, or the attempts are spent (then throws the last error). */
export async function retry<T>(work: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(attempt);
    } catch (err) {
      if (attempt >= options.attempts || (options.retriable && !options.retriable(err))) throw err;
      const delayMs = backoffDelay(attempt, options);
      options.onRetry?.(err, attempt, delayMs);
      await sleep(delayMs);
    }
  }
}
