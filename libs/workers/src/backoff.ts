export interface BackoffPolicy {
  /** The ceiling of the first wait. */
  baseMs: number;
  /** No wait is longer than this. */
  maxMs: number;
}

/** The ceiling of the wait after `attempt` failed tries: base·2^(attempt−1), capped at maxMs. */
export function backoffCeiling(attempt: number, policy: BackoffPolicy): number {
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
}

/**
 * How long to wait before try number `attempt + 1`, after `attempt` failed tries (1 = the
 * first failed): "full jitter" (AWS Architecture Blog, "Exponential Backoff And Jitter"), a
 * uniform random wait between 0 and min(maxMs, baseMs·2^(attempt−1)). Callers that failed
 * together (rows of one outage, replicas, services after a NATS restart) spread over the whole
 * window instead of coming back in lock-step, which is what keeps a recovering dependency from
 * being knocked over again; the cap keeps the longest wait bounded. This is the one back-off of
 * the project: every retry, redelivery and reconnect wait goes through it.
 *
 * `random` is [0, 1) like Math.random; a caller that wants a group to come back together (the
 * orders of one cancellation feed) passes one draw for the whole group.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const draw = Math.min(1, Math.max(0, random()));
  return Math.floor(backoffCeiling(attempt, policy) * draw);
}

/**
 * Waits `ms`, or less if `signal` aborts: it then ends at once (resolves, does not throw), so a
 * loop's stop is not held by the back-off it happens to be waiting out.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

export interface RetryOptions extends BackoffPolicy {
  /** Tries in all, the first included (default: no limit, then `withinMs` must be given). */
  attempts?: number;
  /**
   * No try starts after this long since the first (default: no limit). With full jitter a few
   * tries can all come within milliseconds; a caller that must ride out an outage of some seconds
   * says how long, not how many tries.
   */
  withinMs?: number;
  /** Whether an error is worth another try (default: every error is). */
  retriable?: (err: unknown) => boolean;
  /** Told about each failed try that will be retried. */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
}

/** Runs `work` until it succeeds, the error is final, or the attempts or the time are spent (then throws the last error). */
export async function retry<T>(work: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  if (options.attempts === undefined && options.withinMs === undefined) throw new Error('retry: give attempts or withinMs');
  const deadline = options.withinMs === undefined ? Infinity : Date.now() + options.withinMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(attempt);
    } catch (err) {
      if (attempt >= (options.attempts ?? Infinity) || (options.retriable && !options.retriable(err))) throw err;
      const delayMs = Math.min(backoffDelay(attempt, options), Math.max(0, deadline - Date.now()));
      if (Date.now() + delayMs >= deadline) throw err;
      options.onRetry?.(err, attempt, delayMs);
      await sleep(delayMs);
    }
  }
}
