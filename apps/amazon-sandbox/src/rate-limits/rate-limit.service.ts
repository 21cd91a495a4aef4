import { Injectable } from '@nestjs/common';
import { SandboxClock } from '../store/sandbox-clock';
import { SpApiOperation, USAGE_PLANS } from './operations';
import { TokenBucket } from './token-bucket';

/** One bucket per (seller, operation), as Amazon meters quotas per selling partner. */
@Injectable()
export class RateLimitService {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly clock: SandboxClock) {}

  reset(): void {
    this.buckets.clear();
  }

  /** True when the call may proceed. Limits switched off: always true, no token taken. */
  tryAcquire(sellerId: string, operation: SpApiOperation): boolean {
    if (!this.clock.rateLimitsEnabled) return true;
    const key = `${sellerId}\u0000${operation}`;
    const now = this.clock.elapsedScaledMs();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      const plan = USAGE_PLANS[operation];
      bucket = new TokenBucket(plan.rate, plan.burst, now);
      this.buckets.set(key, bucket);
    }
    return bucket.tryTake(now);
  }

  rateHeader(operation: SpApiOperation): string {
    return String(USAGE_PLANS[operation].rate);
  }
}
