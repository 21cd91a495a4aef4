import { waitFor } from '@connector/testing';
import { amazonOrder, RunningSystem } from '@connector/testing';
import { scrapeMetrics } from '@connector/test-environment';

/**
 * Recover one order and resync a period, against the sandbox, for an account on each Orders API
 * version: an order the sync cannot see (last updated before the account's cursor) is fetched by
 * id at once (getOrder), an unknown one is a 404, one that maps badly a 422 with its reason; a
 * resync reads the period again, leaves unchanged orders unchanged (no event) and updates the one
 * that changed at the sandbox.
 */

const DAY = 86_400_000;
const HOUR = 3_600_000;
const now = Date.now();
const recently = new Date(now - 180_000).toISOString();
/** Before the cursor the first run leaves (about two minutes ago, less the five-minute overlap). */
const twoDaysAgo = new Date(now - 2 * DAY).toISOString();

interface Case {
  api: 'v2026-01-01' | 'v0';
  seller: { sellerId: string; clientId: string; clientSecret: string; refreshToken: string; marketplaceIds: string[] };
  /** Its first digit tells the cases' orders apart (the sandbox keeps an order id under one seller). */
  prefix: string;
  /** getOrder as the sandbox names it (Amazon's v2026-01-01 getOrder is another operation than v0's). */
  getOrder: string;
  accountId?: string;
}

const CASES: Case[] = [
  { api: 'v2026-01-01', prefix: '3', getOrder: 'getOrder2026', seller: { sellerId: 'A2RECOVER2026', clientId: 'rec-2026', clientSecret: 'rec-2026-secret', refreshToken: 'Atzr|rec-2026', marketplaceIds: ['A1PA6795UKMFR9'] } },
  { api: 'v0', prefix: '4', getOrder: 'getOrder', seller: { sellerId: 'A2RECOVERV0', clientId: 'rec-v0', clientSecret: 'rec-v0-secret', refreshToken: 'Atzr|rec-v0', marketplaceIds: ['A1PA6795UKMFR9'] } },
];

const ids = (c: Case) => ({
  /** Synced by the first run. */
  known: `${c.prefix}02-8000001-0000001`,
  /** Added after the first run, last updated two days ago: behind the cursor. */
  missed: `${c.prefix}02-8000002-0000002`,
  /** In a currency no one knows: it cannot be stored. */
  broken: `${c.prefix}02-8000003-0000003`,
  /** Still pending at Amazon: not one the connector keeps yet. */
  pending: `${c.prefix}02-8000004-0000004`,
  unknown: `${c.prefix}02-8999999-0000009`,
});

const fbm = (orderId: string, lastUpdatedTime: string, extra: { currency?: string; city?: string; status?: 'PENDING' } = {}) =>
  amazonOrder({
    orderId,
    createdTime: new Date(Date.parse(lastUpdatedTime) - HOUR).toISOString(),
    lastUpdatedTime,
    fulfilledBy: 'MERCHANT',
    status: extra.status ?? 'UNSHIPPED',
    currency: extra.currency,
    address: { name: 'Erika Muster', addressLine1: 'Lindenweg 2', city: extra.city ?? 'Hamburg', postalCode: '20095' },
    items: [{ orderItemId: `${orderId.replace(/-/g, '').slice(-14)}`, sku: 'RECOVER-MUG', quantity: 2, unitPrice: '11.90', tax: '3.80' }],
  });

describe('recover one order and resync a period (both Orders API versions)', () => {
  const running = new RunningSystem();

  const runs = async (accountId: string) => (await running.api('GET', `/api/v1/accounts/${accountId}/sync-runs?limit=500`)).body.items as any[];
  const orderOf = async (amazonOrderId: string) => (await running.api('GET', `/api/v1/orders?amazonOrderId=${amazonOrderId}`)).body.items[0];
  const outboxCount = async () => (await running.env.query<{ n: string }>(`select count(*) as n from ingestion.outbox`))[0].n;
  const salesOrders = () => running.env.query<{ amazon_order_id: string; version: number; content_hash: string }>(`select amazon_order_id, version, content_hash from ingestion.sales_orders order by amazon_order_id`);
  const rowOf = async (amazonOrderId: string) => (await salesOrders()).find((row) => row.amazon_order_id === amazonOrderId)!;
  /** The run the answer names, once it ended. */
  const ended = (accountId: string, runId: string) =>
    waitFor(async () => {
      const run = (await running.api('GET', `/api/v1/accounts/${accountId}/sync-runs/${runId}`)).body;
      return ['succeeded', 'failed'].includes(run.status) ? run : undefined;
    }, { timeoutMs: 60_000, what: `sync run ${runId}` });

  beforeAll(async () => {
    await running.start();
    for (const c of CASES) {
      expect((await running.sandbox('POST', '/_sandbox/sellers', c.seller)).status).toBe(201);
      expect((await running.sandbox('POST', `/_sandbox/sellers/${c.seller.sellerId}/orders`, fbm(ids(c).known, recently))).status).toBe(201);
      const account = await running.createAccount(c.seller, 'EU', { ordersApi: c.api, initialSyncFrom: new Date(now - 5 * DAY).toISOString(), syncIntervalSeconds: 86400 });
      expect(account.status).toBe(201);
      c.accountId = account.body.id;
    }
    for (const c of CASES) {
      await waitFor(async () => {
        const list = await runs(c.accountId!);
        return list.length > 0 && list.every((r) => r.status === 'succeeded') ? list : undefined;
      }, { timeoutMs: 90_000, what: `the first sync of ${c.api}` });
      expect(await orderOf(ids(c).known)).toBeDefined();
      // Amazon gets these after the first run, with changes dated before its cursor: no sync sees them.
      for (const order of [fbm(ids(c).missed, twoDaysAgo), fbm(ids(c).broken, twoDaysAgo, { currency: 'QQQ' }), fbm(ids(c).pending, twoDaysAgo, { status: 'PENDING' })]) {
        expect((await running.sandbox('POST', `/_sandbox/sellers/${c.seller.sellerId}/orders`, order)).status).toBe(201);
      }
    }
  }, 240_000);

  afterAll(() => running.stop(), 60_000);

  it.each(CASES.map((c) => [c.api, c] as const))('%s: an order older than the cursor is recovered at once, and once more changes nothing', async (_api, c) => {
    const { missed } = ids(c);
    // A sync does not see it.
    const sync = await running.api('POST', `/api/v1/accounts/${c.accountId}/sync`, {});
    expect(sync.status).toBe(202);
    expect(await ended(c.accountId!, sync.body.runId)).toMatchObject({ status: 'succeeded', ordersCreated: 0 });
    expect(await orderOf(missed)).toBeUndefined();

    // Amazon fails the first two getOrder calls: the account's client retries them, as any call.
    expect((await running.sandbox('POST', '/_sandbox/faults', { operation: c.getOrder, sellerId: c.seller.sellerId, status: 503, count: 2 })).status).toBe(201);
    const recovered = await running.api('POST', `/api/v1/accounts/${c.accountId}/orders/${missed}/sync`, {});
    expect(recovered.status).toBe(200);
    expect((await running.sandbox('GET', `/_sandbox/calls?sellerId=${c.seller.sellerId}`)).body.operations[c.getOrder]).toMatchObject({ errors: 2 });
    expect(recovered.body).toMatchObject({ accountId: c.accountId, amazonOrderId: missed, status: 'confirmed', reconciled: true });
    expect(recovered.body.lines.some((l: any) => l.sku === 'RECOVER-MUG' && l.quantity === 2)).toBe(true);
    expect((await orderOf(missed)).id).toBe(recovered.body.id);
    // Its FBM delivery follows, as for a synced order.
    await waitFor(async () => (await running.api('GET', `/api/v1/deliveries?orderId=${recovered.body.id}`)).body.items?.[0], { what: 'the delivery of the recovered order' });

    const outbox = await outboxCount();
    const rows = await salesOrders();
    const again = await running.api('POST', `/api/v1/accounts/${c.accountId}/orders/${missed}/sync`, {});
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(recovered.body.id);
    expect(await salesOrders()).toEqual(rows);
    expect(await outboxCount()).toBe(outbox);

    const recoveries = await scrapeMetrics(`${running.system.managementUrl('order-ingestion')}/metrics`);
    expect(recoveries.sum('connector_orders_recovered_total', { outcome: 'unchanged' })).toBeGreaterThanOrEqual(1);
    expect(recoveries.sum('connector_orders_recovered_total', { outcome: 'created' })).toBeGreaterThanOrEqual(1);

    // Audited, as every change through the API.
    const audit = await running.env.query<{ path: string; status: number }>(`select path, status from access.audit_log where path like $1`, [`%/orders/${missed}/sync`]);
    expect(audit.length).toBeGreaterThanOrEqual(2);
  });

  it.each(CASES.map((c) => [c.api, c] as const))('%s: an order Amazon does not know, or an unknown account, is a 404', async (_api, c) => {
    const unknown = await running.api('POST', `/api/v1/accounts/${c.accountId}/orders/${ids(c).unknown}/sync`, {});
    expect(unknown.status).toBe(404);
    expect(unknown.body.detail).toContain('Amazon does not know order');
    const noAccount = await running.api('POST', `/api/v1/accounts/0193a5b2-6c1d-7e8f-9a0b-1c2d3e4f5a6b/orders/${ids(c).missed}/sync`, {});
    expect(noAccount.status).toBe(404);
    const malformed = await running.api('POST', `/api/v1/accounts/${c.accountId}/orders/${encodeURIComponent('not an id!')}/sync`, {});
    expect(malformed.status).toBe(400);
    expect(malformed.body.details).toEqual([expect.objectContaining({ field: 'amazonOrderId' })]);
  });

  it.each(CASES.map((c) => [c.api, c] as const))('%s: an order that cannot be stored is a 422 with its reason, and is quarantined', async (_api, c) => {
    const { broken } = ids(c);
    const answer = await running.api('POST', `/api/v1/accounts/${c.accountId}/orders/${broken}/sync`, {});
    expect(answer.status).toBe(422);
    expect(answer.body.detail).toMatch(/cannot be stored; it is quarantined/);
    expect(answer.body.detail).toMatch(/QQQ/);
    expect(await orderOf(broken)).toBeUndefined();

    const pending = await running.api('POST', `/api/v1/accounts/${c.accountId}/orders/${ids(c).pending}/sync`, {});
    expect(pending.status).toBe(422);
    expect(pending.body.detail).toMatch(/is not one the connector keeps: it is pending on Amazon/);
    expect(await orderOf(ids(c).pending)).toBeUndefined();
    const quarantined = (await running.api('GET', `/api/v1/orders/quarantined?accountId=${c.accountId}`)).body.items as any[];
    expect(quarantined.find((q) => q.amazonOrderId === broken)?.reason).toMatch(/QQQ/);
  });

  it.each(CASES.map((c) => [c.api, c] as const))('%s: a resync reads the period again: known orders change nothing, one changed at Amazon is updated', async (_api, c) => {
    const { known, missed } = ids(c);
    const account = (await running.api('GET', `/api/v1/accounts/${c.accountId}`)).body;
    // Refused: in the future, before initialSyncFrom, not a date.
    for (const from of [new Date(now + DAY).toISOString(), new Date(now - 30 * DAY).toISOString(), 'yesterday']) {
      const refused = await running.api('POST', `/api/v1/accounts/${c.accountId}/resync`, { from });
      expect(refused.status).toBe(400);
      expect(refused.body.details).toEqual([expect.objectContaining({ field: 'from' })]);
    }
    expect((await running.api('GET', `/api/v1/accounts/${c.accountId}`)).body).toEqual(account);

    const from = new Date(now - 3 * DAY).toISOString();
    const outbox = await outboxCount();
    const rows = await salesOrders();
    const resync = await running.api('POST', `/api/v1/accounts/${c.accountId}/resync`, { from });
    expect(resync.status).toBe(202);
    expect(await running.env.query(`select status from access.audit_log where path = $1`, [`/api/v1/accounts/${c.accountId}/resync`])).toContainEqual({ status: 202 });
    expect(resync.body).toMatchObject({ accountId: c.accountId, cursor: from, status: 'queued', alreadyRunning: false });
    expect(Date.parse(resync.body.previousCursor)).toBeGreaterThan(Date.parse(twoDaysAgo));
    const unchanged = await ended(c.accountId!, resync.body.runId);
    // known and missed read again, unchanged; broken quarantined again (counted once).
    expect(unchanged).toMatchObject({ status: 'succeeded', ordersCreated: 0, ordersUpdated: 0, ordersUnchanged: 2, ordersQuarantined: 1 });
    expect(Date.parse(unchanged.windowFrom)).toBeLessThan(Date.parse(from));
    expect(await salesOrders()).toEqual(rows);
    expect(await outboxCount()).toBe(outbox);

    // The buyer's address changes at Amazon, dated before the cursor: only a resync sees it.
    const before = await rowOf(missed);
    const knownBefore = await rowOf(known);
    const changed = fbm(missed, new Date(Date.parse(twoDaysAgo) + 60_000).toISOString(), { city: 'Bremen' });
    expect((await running.sandbox('POST', `/_sandbox/sellers/${c.seller.sellerId}/orders`, changed)).status).toBe(201);
    const second = await running.api('POST', `/api/v1/accounts/${c.accountId}/resync`, { from });
    expect(second.status).toBe(202);
    expect(await ended(c.accountId!, second.body.runId)).toMatchObject({ status: 'succeeded', ordersCreated: 0, ordersUpdated: 1, ordersUnchanged: 1, ordersQuarantined: 1 });
    const after = await rowOf(missed);
    expect(after.version).toBe(before.version + 1);
    expect(after.content_hash).not.toBe(before.content_hash);
    expect((await orderOf(missed)).amazonUpdatedAt).toBe(changed.lastUpdatedTime);
    expect(await rowOf(known)).toEqual(knownBefore);
  });
});
