import { Injectable } from '@nestjs/common';

export interface OperationStats {
  /** Calls that arrived, answered or not yet (a call held by a latency fault is received, not yet a call). */
  received: number;
  calls: number;
  throttled: number;
  errors: number;
}

/** Counts SP-API calls per seller and operation so tests can check how many calls a client spent. */
@Injectable()
export class CallStatsService {
  private readonly stats = new Map<string, Map<string, OperationStats>>();

  reset(): void {
    this.stats.clear();
  }

  /** A call arrived (before faults, quota and handling). */
  received(sellerId: string, operation: string): void {
    this.of(sellerId, operation).received++;
  }

  /** A call was answered with `status`. */
  record(sellerId: string, operation: string, status: number): void {
    const s = this.of(sellerId, operation);
    s.calls++;
    if (status === 429) s.throttled++;
    else if (status >= 400) s.errors++;
  }

  private of(sellerId: string, operation: string): OperationStats {
    let perSeller = this.stats.get(sellerId);
    if (!perSeller) this.stats.set(sellerId, (perSeller = new Map()));
    let s = perSeller.get(operation);
    if (!s) perSeller.set(operation, (s = { received: 0, calls: 0, throttled: 0, errors: 0 }));
    return s;
  }

  /** Per operation; for one seller, or summed over all sellers when sellerId is absent. */
  snapshot(sellerId?: string): Record<string, OperationStats> {
    const out: Record<string, OperationStats> = {};
    for (const [seller, perSeller] of this.stats) {
      if (sellerId !== undefined && seller !== sellerId) continue;
      for (const [op, s] of perSeller) {
        const o = (out[op] ??= { received: 0, calls: 0, throttled: 0, errors: 0 });
        o.received += s.received;
        o.calls += s.calls;
        o.throttled += s.throttled;
        o.errors += s.errors;
      }
    }
    return out;
  }
}
