import { backoffCeiling, backoffDelay, retry, sleep } from './backoff';
import { keepLeaseAlive } from './lease';
import { PeriodicWorker } from './periodic-worker';

const until = async (check: () => boolean, ms = 2000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

describe('backoffDelay', () => {
  const policy = { baseMs: 1000, maxMs: 60_000 };

  it('has a ceiling that doubles from the base and stops at the cap', () => {
    expect([1, 2, 3, 4].map((attempt) => backoffCeiling(attempt, policy))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffCeiling(20, policy)).toBe(60_000);
    // The random part at its largest reaches the ceiling, never past it.
    expect(backoffDelay(4, policy, () => 1)).toBe(8000);
    expect(backoffDelay(20, policy, () => 1)).toBe(60_000);
  });

  it('is full jitter: uniform between 0 and the ceiling, so retries that failed together do not return together', () => {
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(2000);
    expect(backoffDelay(3, policy, () => 0.999)).toBe(3996);
    const delays = Array.from({ length: 2000 }, () => backoffDelay(3, policy));
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(4000);
    }
    // Spread over the whole window, not only its upper half (as the former "equal jitter" was).
    expect(delays.filter((d) => d < 1000).length).toBeGreaterThan(300);
    expect(delays.filter((d) => d >= 3000).length).toBeGreaterThan(300);
    expect(new Set(delays).size).toBeGreaterThan(500);
  });

  it('stays within the cap however many tries failed', () => {
    for (let attempt = 1; attempt <= 60; attempt++) expect(backoffDelay(attempt, policy)).toBeLessThanOrEqual(60_000);
    expect(backoffDelay(1_000, { baseMs: 1000, maxMs: 5000 }, () => 1)).toBe(5000);
  });
});

describe('sleep', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /** Whether the promise has settled, without moving the clock. */
  const settled = async (promise: Promise<void>) => {
    let done = false;
    void promise.then(() => (done = true));
    await Promise.resolve();
    await Promise.resolve();
    return done;
  };

  it('waits the whole time when nothing aborts it', async () => {
    const waiting = sleep(1000, new AbortController().signal);
    await jest.advanceTimersByTimeAsync(999);
    expect(await settled(waiting)).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(await settled(waiting)).toBe(true);
  });

  it('ends at once when its signal aborts, the clock not moved, its timer cleared', async () => {
    const stop = new AbortController();
    const waiting = sleep(30_000, stop.signal);
    await jest.advanceTimersByTimeAsync(1000);
    expect(await settled(waiting)).toBe(false);
    stop.abort();
    expect(await settled(waiting)).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('does not wait at all on a signal already aborted', async () => {
    const stop = new AbortController();
    stop.abort();
    expect(await settled(sleep(30_000, stop.signal))).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('retry', () => {
  it('tries until the work succeeds, telling of each retry', async () => {
    const retried: number[] = [];
    let calls = 0;
    const result = await retry(
      async () => {
        if (++calls < 3) throw new Error(`try ${calls}`);
        return 'done';
      },
      { attempts: 5, baseMs: 1, maxMs: 2, onRetry: (_err, attempt) => retried.push(attempt) },
    );
    expect(result).toBe('done');
    expect(retried).toEqual([1, 2]);
  });

  it('gives up with the last error once the attempts are spent, and at once on a final error', async () => {
    let calls = 0;
    await expect(retry(async () => Promise.reject(new Error(`try ${++calls}`)), { attempts: 3, baseMs: 1, maxMs: 1 })).rejects.toThrow('try 3');
    calls = 0;
    await expect(
      retry(async () => Promise.reject(new Error(`final ${++calls}`)), { attempts: 3, baseMs: 1, maxMs: 1, retriable: () => false }),
    ).rejects.toThrow('final 1');
  });

  it('keeps trying for the time given, however short the jittered waits, then gives up', async () => {
    let calls = 0;
    const startedAt = Date.now();
    // Draws of 0 (Math.random) make every full-jitter wait 0 ms: only the time budget ends it.
    const random = jest.spyOn(Math, 'random').mockReturnValue(0);
    try {
      await expect(retry(async () => Promise.reject(new Error(`try ${++calls}`)), { withinMs: 150, baseMs: 1, maxMs: 1 })).rejects.toThrow(/try \d+/);
    } finally {
      random.mockRestore();
    }
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(140);
    expect(calls).toBeGreaterThan(6);
  });

  it('refuses to retry without a limit', async () => {
    await expect(retry(async () => 1, { baseMs: 1, maxMs: 1 })).rejects.toThrow('give attempts or withinMs');
  });
});

describe('PeriodicWorker', () => {
  it('runs at start, on the clock and on kicks, one pass at a time', async () => {
    let passes = 0;
    let active = 0;
    let maxActive = 0;
    const worker = new PeriodicWorker({
      name: 'test',
      everyMs: 20,
      onError: () => undefined,
      pass: async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        passes++;
        await new Promise((resolve) => setTimeout(resolve, 5));
        active--;
      },
    });
    worker.start();
    for (let i = 0; i < 10; i++) worker.kick();
    await until(() => passes >= 5);
    await worker.stop();
    const after = passes;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(passes).toBe(after);
    expect(maxActive).toBe(1);
  });

  it('reports a failed pass by name and keeps going', async () => {
    const errors: string[] = [];
    let passes = 0;
    const worker = new PeriodicWorker({
      name: 'sending things',
      everyMs: 10,
      onError: (message) => errors.push(message),
      pass: async () => {
        if (++passes === 1) throw new Error('database away');
      },
    });
    worker.start();
    await until(() => passes >= 3);
    await worker.stop();
    expect(errors).toEqual(['sending things failed: database away']);
  });

  it('waits for the pass under way when stopping, unless told not to wait', async () => {
    let finished = false;
    let release!: () => void;
    const make = (stopWaitMs?: number) =>
      new PeriodicWorker({
        name: 'slow',
        everyMs: 1000,
        stopWaitMs,
        onError: () => undefined,
        pass: () => new Promise<void>((resolve) => (release = resolve)).then(() => void (finished = true)),
      });
    const patient = make();
    patient.start();
    const stopping = patient.stop();
    setTimeout(() => release(), 20);
    await stopping;
    expect(finished).toBe(true);

    finished = false;
    const impatient = make(0);
    impatient.start();
    await impatient.stop();
    expect(finished).toBe(false);
    release();
  });

  it('does not start the first pass before the clock when told so', async () => {
    let passes = 0;
    const worker = new PeriodicWorker({ name: 'later', everyMs: 10_000, runAtStart: false, onError: () => undefined, pass: async () => void passes++ });
    worker.start();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await worker.stop();
    expect(passes).toBe(0);
  });
});

describe('keepLeaseAlive', () => {
  it('renews on every beat and says the lease is held while renewals succeed', async () => {
    let renewals = 0;
    const lease = keepLeaseAlive({ everyMs: 5, onError: () => undefined, renew: async () => (++renewals, true) });
    await until(() => renewals >= 3);
    expect(await lease.held()).toBe(true);
    lease.stop();
    const renewed = renewals;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(renewals).toBe(renewed);
  });

  it('reports a failed renewal and carries on; a renewal that finds the lease gone makes it lost for good', async () => {
    const errors: string[] = [];
    let beat = 0;
    const lease = keepLeaseAlive({
      everyMs: 5,
      onError: (err) => errors.push(err.message),
      renew: async () => {
        beat++;
        if (beat === 1) throw new Error('connection lost');
        return beat < 3;
      },
    });
    await until(() => beat >= 4);
    lease.stop();
    expect(errors).toEqual(['connection lost']);
    expect(await lease.held()).toBe(false);
  });

  it('with freshForMs, held answers without renewing while the lease was taken or renewed that recently; past it, and after stop, it asks', async () => {
    let renewals = 0;
    let answer = true;
    const lease = keepLeaseAlive({ everyMs: 60_000, freshForMs: 40, onError: () => undefined, renew: async () => (++renewals, answer) });
    expect(await lease.held()).toBe(true);
    expect(renewals).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await lease.held()).toBe(true);
    expect(renewals).toBe(1);
    // Renewed just now: fresh again.
    expect(await lease.held()).toBe(true);
    expect(renewals).toBe(1);
    lease.stop();
    answer = false;
    expect(await lease.held()).toBe(false);
    expect(renewals).toBe(2);
  });
});
