import { Injectable } from '@nestjs/common';

export interface OperationStats {
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

  record(sellerId: string, operation: string, status: number): void {
    let perSeller = this.stats.get(sellerId);
    if (!perSeller) this.stats.set(sellerId, (perSeller = new Map()));
    let s = perSeller.get(operation);
    if (!s) perSeller.set(operation, (s = { calls: 0, throttled: 0, errors: 0 }));
    s.calls++;
    if (status === 429) s.throttled++;
    else if (status >= 400) s.errors++;
  }

  /** Per operation; for one seller, or summed over all sellers when sellerId is absent. */
  snapshot(sellerId?: string): Record<string, OperationStats> {
    const out: Record<string, OperationStats> = {};
    for (const [seller, perSeller] of this.stats) {
      if (sellerId !== undefined && seller !== sellerId) continue;
      for (const [op, s] of perSeller) {
        const o = (out[op] ??= { calls: 0, throttled: 0, errors: 0 });
        o.calls += s.calls;
        o.throttled += s.throttled;
        o.errors += s.errors;
      }
    }
    return out;
  }
}
