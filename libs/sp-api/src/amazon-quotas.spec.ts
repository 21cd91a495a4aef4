import { Logger } from '@nestjs/common';
import { quotaBucketKey, QuotaStoreConnection, SharedQuotas } from './amazon-quotas';

const OWNER = { sellerId: 'A2SELLER', clientId: 'amzn1.application-oa2-client.app', endpoint: 'https://sellingpartnerapi-eu.amazon.com/' };

describe('quotaBucketKey', () => {
  it("is the seller's, the application's and the region's: accounts of one seller share it, another seller, app or region does not", () => {
    const key = quotaBucketKey(OWNER, 'confirmShipment');
    expect(quotaBucketKey({ ...OWNER, endpoint: 'https://sellingpartnerapi-eu.amazon.com' }, 'confirmShipment')).toBe(key);
    expect(quotaBucketKey({ ...OWNER, sellerId: 'A2OTHER' }, 'confirmShipment')).not.toBe(key);
    expect(quotaBucketKey({ ...OWNER, clientId: 'other-app' }, 'confirmShipment')).not.toBe(key);
    expect(quotaBucketKey({ ...OWNER, endpoint: 'https://sellingpartnerapi-na.amazon.com' }, 'confirmShipment')).not.toBe(key);
    expect(quotaBucketKey(OWNER, 'getOrder')).not.toBe(key);
  });

  it("is the application's alone for grantless operations (Amazon meters them per application and region)", () => {
    expect(quotaBucketKey(OWNER, 'getDestinations')).toBe(quotaBucketKey({ ...OWNER, sellerId: 'A2OTHER' }, 'getDestinations'));
    expect(quotaBucketKey(OWNER, 'getSubscription')).not.toBe(quotaBucketKey({ ...OWNER, sellerId: 'A2OTHER' }, 'getSubscription'));
  });
});

describe('SharedQuotas with its store away', () => {
  /** A store that fails (or answers) as the test says, counting the statements it was given. */
  const store = () => {
    const state = { up: false, statements: 0 };
    const db: QuotaStoreConnection = {
      query: async (sql: string) => {
        state.statements++;
        if (!state.up) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
        if (sql.includes('amazon_quotas.takers')) return [{ others: 2 }];
        return [{ tokens: 5, rate: 2, took: true }];
      },
    };
    return { db, state };
  };
  let warn: jest.SpyInstance;
  let log: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('paces alone from an empty bucket at half the rate and burst, says so once, and asks the store again only after retryMs', async () => {
    const { db, state } = store();
    const quotas = new SharedQuotas(db, { retryMs: 60_000 });
    const quota = quotas.quota(OWNER, 'confirmShipment');
    // confirmShipment: 2/s, half of it (2 % under): a token each 1020 ms, and none there now.
    expect(await quota.tryTake()).toBeGreaterThan(1000);
    expect(quotas.isAway()).toBe(true);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toContain('alone at 1/2 of each rate');
    expect(await quota.msUntilTokens(1)).toBeLessThanOrEqual(1021);
    // A burst of 10 halved: at most 4 tokens (one short of 5) ever pile up.
    expect(await quota.msUntilTokens(10)).toBeGreaterThan(4000);
    expect(await quota.msUntilTokens(10)).toBeLessThanOrEqual(4082);
    // Calls go on, paced locally, without asking the store again before retryMs.
    const asked = state.statements;
    for (let i = 0; i < 5; i++) expect(await quota.tryTake()).toBeGreaterThan(0);
    expect(state.statements).toBe(asked);
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('comes back to the store when it answers: the tokens taken alone (and only those) are subtracted there first, and the share follows the processes seen', async () => {
    const { db, state } = store();
    const quotas = new SharedQuotas(db, { scale: 1000, retryMs: 0 });
    const quota = quotas.quota(OWNER, 'confirmShipment');
    await quota.take();
    await quota.take();
    expect(quotas.isAway()).toBe(true);
    state.up = true;
    const queries = jest.spyOn(db, 'query');
    await quota.take();
    expect(quotas.isAway()).toBe(false);
    expect(log).toHaveBeenCalledWith(expect.stringContaining('shared again'));
    // The two local takes subtracted first (not a drain of the row), then the take; and a heartbeat that counts the takers (2 others: a third each).
    const statements = queries.mock.calls.map(([sql]) => sql.replace(/\s+/g, ' '));
    expect(statements[0]).toMatch(/ - \$\d+::float8, refilled_at/);
    expect(statements[0]).not.toMatch(/least\(least/);
    expect(queries.mock.calls[0][1]).toContain(2);
    expect(statements.some((sql) => / - 1, refilled_at/.test(sql))).toBe(true);
    expect(statements.some((sql) => sql.includes('amazon_quotas.takers'))).toBe(true);
    expect(quotas.fallbackShare()).toBe(1 / 3);
  });

  it('a question while the store is away spends nothing: back, the shared bucket is not touched for it', async () => {
    const { db, state } = store();
    const quotas = new SharedQuotas(db, { retryMs: 0 });
    const quota = quotas.quota(OWNER, 'createFeed');
    await quota.tryTake().catch(() => undefined);
    const asked = quotas.quota({ ...OWNER, sellerId: 'A2ASKED' }, 'createFeed');
    expect(await asked.msUntilTokens(1)).toBeGreaterThan(0);
    state.up = true;
    const queries = jest.spyOn(db, 'query');
    await asked.take();
    const statements = queries.mock.calls.map(([sql]) => sql.replace(/\s+/g, ' '));
    expect(statements[0]).toMatch(/union all/);
    expect(statements.filter((sql) => /refilled_at = greatest/.test(sql) && !/union all/.test(sql))).toEqual([]);
  });

  it('one quota per bucket in a process: clients of two sellers on a grantless operation pace alone together, not each at the share', async () => {
    const { db } = store();
    const quotas = new SharedQuotas(db, { scale: 1000, retryMs: 60_000 });
    const first = quotas.quota(OWNER, 'deleteSubscriptionById');
    expect(quotas.quota({ ...OWNER, sellerId: 'A2OTHER' }, 'deleteSubscriptionById')).toBe(first);
    expect(quotas.quota({ ...OWNER, sellerId: 'A2OTHER' }, 'getOrder')).not.toBe(quotas.quota(OWNER, 'getOrder'));
  });

  it('an SQL error that is no outage (permission denied) is logged as an error with its SQLSTATE', async () => {
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const db: QuotaStoreConnection = { query: async () => Promise.reject(Object.assign(new Error('permission denied for schema amazon_quotas'), { code: '42501' })) };
    const quotas = new SharedQuotas(db, { retryMs: 60_000 });
    await quotas.quota(OWNER, 'getOrder').tryTake();
    expect(error).toHaveBeenCalledWith(expect.stringContaining('SQLSTATE 42501'));
    expect(warn).not.toHaveBeenCalled();
  });

  it('a late answer of a statement started before the store went away does not say it is back', async () => {
    let answerLate: (rows: unknown[]) => void = () => undefined;
    let calls = 0;
    const db: QuotaStoreConnection = {
      query: () => (++calls === 1 ? new Promise((resolve) => (answerLate = resolve)) : Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'))),
    };
    const quotas = new SharedQuotas(db, { retryMs: 60_000, timeoutMs: 60_000 });
    const late = quotas.run('read', { $bucket: 'b', $cap: 1, $rate: 1, $restore: 1 });
    await quotas.run('read', { $bucket: 'b', $cap: 1, $rate: 1, $restore: 1 });
    expect(quotas.isAway()).toBe(true);
    answerLate([]);
    await late;
    expect(quotas.isAway()).toBe(true);
    expect(log).not.toHaveBeenCalledWith(expect.stringContaining('shared again'));
  });
});
