/**
 * Amazon's token bucket: starts full (burst), each call takes one token, tokens come back
 * continuously at `rate` per second up to `burst`. Time is passed in so the bucket can
 * run on the sandbox's scaled clock and be unit-tested without waiting.
 */
/** Tolerance for float drift of the continuous refill (a token "almost" back is back). */
const EPSILON = 1e-9;

export class TokenBucket {
  private tokens: number;
  private lastMs: number;

  constructor(
    readonly rate: number,
    readonly burst: number,
    nowMs: number,
  ) {
    this.tokens = burst;
    this.lastMs = nowMs;
  }

  private refill(nowMs: number): void {
    if (nowMs > this.lastMs) {
      this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.lastMs) / 1000) * this.rate);
      this.lastMs = nowMs;
    }
  }

  /** Takes one token if there is a whole one; false means the call is throttled. */
  tryTake(nowMs: number): boolean {
    this.refill(nowMs);
    if (this.tokens >= 1 - EPSILON) {
      this.tokens = Math.max(0, this.tokens - 1);
      return true;
    }
    return false;
  }

  available(nowMs: number): number {
    this.refill(nowMs);
    return this.tokens;
  }

  /** Milliseconds (on the bucket's clock) until a whole token is available. */
  msUntilNextToken(nowMs: number): number {
    this.refill(nowMs);
    return this.tokens >= 1 - EPSILON ? 0 : ((1 - this.tokens) / this.rate) * 1000;
  }
}
