import { USAGE_PLANS } from './operations';
import { TokenBucket } from './token-bucket';

describe('TokenBucket', () => {
  it('allows the burst, then one call per 1/rate seconds', () => {
    const b = new TokenBucket(0.5, 3, 0);
    expect([b.tryTake(0), b.tryTake(0), b.tryTake(0), b.tryTake(0)]).toEqual([true, true, true, false]);
    expect(b.msUntilNextToken(0)).toBeCloseTo(2000);
    expect(b.tryTake(1999)).toBe(false);
    expect(b.tryTake(2000)).toBe(true);
    expect(b.tryTake(2000)).toBe(false);
    expect(b.tryTake(4000)).toBe(true);
  });

  it('refills continuously but never above the burst', () => {
    const b = new TokenBucket(2, 10, 0);
    for (let i = 0; i < 10; i++) expect(b.tryTake(0)).toBe(true);
    expect(b.available(1250)).toBeCloseTo(2.5);
    expect(b.available(1_000_000)).toBe(10);
  });

  it('a failed attempt takes nothing', () => {
    const b = new TokenBucket(1, 1, 0);
    expect(b.tryTake(0)).toBe(true);
    for (let t = 0; t < 1000; t += 100) expect(b.tryTake(t)).toBe(false);
    expect(b.tryTake(1000)).toBe(true);
  });

  it("searchOrders' plan restores one call per ~178.6 s", () => {
    const plan = USAGE_PLANS.searchOrders;
    const b = new TokenBucket(plan.rate, plan.burst, 0);
    for (let i = 0; i < 20; i++) expect(b.tryTake(0)).toBe(true);
    expect(b.tryTake(0)).toBe(false);
    expect(b.msUntilNextToken(0)).toBeCloseTo(1000 / 0.0056, 3);
    expect(b.tryTake(178_000)).toBe(false);
    expect(b.tryTake(178_600)).toBe(true);
  });
});
