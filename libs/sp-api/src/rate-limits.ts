import { sleep } from '@connector/workers';

/** Amazon's published usage plans: requests per second restored, and burst. */
export const OPERATION_LIMITS = {
  searchOrders: { rate: 0.0056, burst: 20 },
  getOrder: { rate: 0.5, burst: 30 },
  getOrders: { rate: 0.0167, burst: 20 },
  getOrderV0: { rate: 0.5, burst: 30 },
  getOrderItems: { rate: 0.5, burst: 30 },
  getOrderAddress: { rate: 0.5, burst: 30 },
  getOrderBuyerInfo: { rate: 0.5, burst: 30 },
  createRestrictedDataToken: { rate: 1, burst: 10 },
  confirmShipment: { rate: 2, burst: 10 },
  createFeed: { rate: 0.0083, burst: 15 },
  createFeedDocument: { rate: 0.5, burst: 15 },
  getFeed: { rate: 2, burst: 15 },
  getFeeds: { rate: 0.0222, burst: 10 },
  getFeedDocument: { rate: 0.0222, burst: 10 },
  getMarketplaceParticipations: { rate: 0.016, burst: 15 },
  createDestination: { rate: 1, burst: 5 },
  getDestinations: { rate: 1, burst: 5 },
  createSubscription: { rate: 1, burst: 5 },
  getSubscription: { rate: 1, burst: 5 },
  deleteSubscriptionById: { rate: 1, burst: 5 },
  patchListingsItem: { rate: 5, burst: 5 },
} as const;

export type SpApiOperation = keyof typeof OPERATION_LIMITS;

/** Our pacing runs this much of Amazon's rate (see TokenBucket.restoreRate). */
export const SAFETY_FACTOR = 0.98;

/**
 * Client-side token bucket, so a sole user of the quota is never throttled: a call waits
 * for a token instead of being refused. `scale` speeds the restore rate up (benchmarks
 * against a sandbox whose clock runs faster).
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  private queue: Promise<void> = Promise.resolve();
  /** Callers of take() not served yet: tryTake() never jumps them. */
  private waiters = 0;

  /**
   * One token short of Amazon's burst: Amazon's clock for a call starts when the call reaches
   * it, a little after ours, so at a full burst our next call would be a hair early.
   */
  private readonly capacity: number;

  constructor(
    private rate: number,
    burst: number,
    private readonly scale = 1,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.capacity = Math.max(1, burst - 1);
    this.tokens = this.capacity;
    this.updatedAt = this.now();
  }

  /**
   * Takes one token, waiting as long as needed. Callers are served in order. Answers how long
   * this caller slept for its token (its own wait, not its time in the queue behind others, so
   * the waits of one bucket add up to the time the bucket held calls back).
   */
  take(): Promise<number> {
    this.waiters++;
    const turn = this.queue.then(() => this.waitForToken()).finally(() => this.waiters--);
    this.queue = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  /** Amazon's `x-amzn-RateLimit-Limit` may grant a different rate than the default. */
  setRate(rate: number): void {
    if (Number.isFinite(rate) && rate > 0 && rate !== this.rate) {
      this.refill();
      this.rate = rate;
    }
  }

  /** After a 429 Amazon's bucket is empty whatever ours says. */
  drain(): void {
    this.refill();
    this.tokens = Math.min(this.tokens, 0);
  }

  /** A token taken for a call that was then withdrawn before it went out. */
  giveBack(): void {
    this.refill();
    this.tokens = Math.min(this.capacity, this.tokens + 1);
  }

  msUntilToken(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.restoreRate()) * 1000);
  }

  /**
   * How long until `count` tokens are there for a new caller, after the callers already waiting
   * (each of them takes one); 0: now. At most the bucket's capacity can be had at once.
   */
  msUntilTokens(count: number): number {
    this.refill();
    const needed = Math.min(this.capacity, Math.max(1, count)) + this.waiters;
    return this.tokens >= needed ? 0 : Math.ceil(((needed - this.tokens) / this.restoreRate()) * 1000);
  }

  /** Takes a token only if one is there now and nobody waits for one (true), never waiting. */
  tryTake(): boolean {
    this.refill();
    if (this.waiters > 0 || this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.updatedAt) / 1000) * this.restoreRate());
    this.updatedAt = now;
  }

  /**
   * 2 % under Amazon's rate: Amazon stamps a call when it handles it, not when it arrives,
   * so at exactly the rate a call handled late makes the next one look early (a 429). Running
   * a little slower lets Amazon's bucket keep a spare token for such jitter.
   */
  private restoreRate(): number {
    return this.rate * this.scale * SAFETY_FACTOR;
  }

  private async waitForToken(): Promise<number> {
    let waited = 0;
    for (;;) {
      const wait = this.msUntilToken();
      if (wait === 0) {
        this.tokens -= 1;
        return waited;
      }
      await sleep(wait);
      waited += wait;
    }
  }
}
