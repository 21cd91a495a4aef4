import { TokenBucket } from './rate-limits';

/** The client paces 2 % under Amazon's rate, on purpose. */
const paced = (ms: number) => Math.ceil(ms / 0.98);

describe('TokenBucket', () => {
  it('serves the burst (less one token of headroom) at once, then one token per 1/rate seconds', async () => {
    const now = 0;
    const bucket = new TokenBucket(2, 4, 1, () => now);
    for (let i = 0; i < 3; i++) await bucket.take();
    expect(bucket.msUntilToken()).toBe(paced(500));
  });

  it('computes the wait from the restore rate and the scale', async () => {
    let now = 0;
    const bucket = new TokenBucket(0.5, 1, 1, () => now);
    await bucket.take();
    expect(bucket.msUntilToken()).toBe(paced(2000));
    now += 1000;
    expect(bucket.msUntilToken()).toBe(paced(2000) - 1000);
    const fast = new TokenBucket(0.5, 1, 10, () => now);
    await fast.take();
    expect(fast.msUntilToken()).toBe(paced(200));
  });

  it('never holds more than the burst', async () => {
    let now = 0;
    const bucket = new TokenBucket(1, 3, 1, () => now);
    now += 100_000;
    await bucket.take();
    await bucket.take();
    expect(bucket.msUntilToken()).toBe(paced(1000));
  });

  it('empties after a throttle and follows a new rate', async () => {
    const now = 0;
    const bucket = new TokenBucket(1, 5, 1, () => now);
    bucket.drain();
    expect(bucket.msUntilToken()).toBe(paced(1000));
    bucket.setRate(4);
    expect(bucket.msUntilToken()).toBe(paced(250));
  });

  it('answers how long each caller slept for its token, nothing when one was there', async () => {
    // Fake timers (Date included): on a loaded machine real ones let part of the wait pass unseen.
    jest.useFakeTimers();
    try {
      const bucket = new TokenBucket(50, 2, 1);
      expect(await bucket.take()).toBe(0);
      const second = bucket.take();
      await jest.advanceTimersByTimeAsync(paced(20));
      expect(await second).toBe(paced(20));
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('TokenBucket without waiting', () => {
  it('tryTake takes a token that is there, and none when the bucket is empty or others wait for one', async () => {
    let now = 0;
    const bucket = new TokenBucket(1, 3, 1, () => now);
    expect(bucket.tryTake()).toBe(true);
    expect(bucket.tryTake()).toBe(true);
    expect(bucket.tryTake()).toBe(false);
    now += paced(1000);
    const waiting = bucket.take();
    expect(bucket.tryTake()).toBe(false);
    await waiting;
    expect(bucket.tryTake()).toBe(false);
  });

  it('msUntilTokens counts the tokens asked for and the callers already waiting', async () => {
    let now = 0;
    const bucket = new TokenBucket(1, 5, 1, () => now);
    expect(bucket.msUntilTokens(4)).toBe(0);
    expect(bucket.msUntilTokens(5)).toBe(0); // no more than the capacity (burst less one) is asked for
    bucket.drain();
    expect(bucket.msUntilTokens(2)).toBe(paced(2000));
    const waiting = bucket.take();
    expect(bucket.msUntilTokens(2)).toBe(paced(3000));
    now += 10_000;
    await waiting;
  });
});
