import { RunningSystem, waitFor } from '@connector/testing';
import { request } from '@connector/local-system';

const SELLER = { sellerId: 'A2PROGRESS0001', clientId: 'progress-client', clientSecret: 'progress-secret', refreshToken: 'Atzr|progress', marketplaceIds: ['A1PA6795UKMFR9'] };
const OTHER = { sellerId: 'A2PROGRESS0002', clientId: 'progress-other', clientSecret: 'other-secret', refreshToken: 'Atzr|other', marketplaceIds: ['A1PA6795UKMFR9'] };
const ORDERS = 400;

/**
 * Sync progress through the gateway, every service its own process, against the sandbox with a
 * slow, paged seller: the id POST .../sync answers is the run that runs, a second POST while it
 * runs answers the same id, GET on it shows pages and orders growing while it runs (and the run
 * in GET /sync-runs?status=running), then succeeded with its totals, 429s and rate-limit waits.
 */
describe('sync progress through the API', () => {
  // Amazon's limits run 60 times faster in the sandbox, and our pacing follows.
  const running = new RunningSystem();

  beforeAll(async () => {
    await running.start({ SANDBOX_TIME_SCALE: '60', SPAPI_RATE_SCALE: '60' });
    for (const seller of [SELLER, OTHER]) expect((await running.sandbox('POST', '/_sandbox/sellers', seller)).status).toBe(201);
  }, 180_000);

  afterAll(() => running.stop(), 60_000);

  it('answers the run id, shows pages and orders growing while it runs, then succeeded with totals', async () => {
    // Four pages of 100 orders, each page slow to come, and Amazon throttling the first tries.
    const generated = await running.sandbox('POST', `/_sandbox/sellers/${SELLER.sellerId}/orders/generate`, { count: ORDERS, seed: 'progress', marketplaceIds: SELLER.marketplaceIds, fulfilledBy: 'MERCHANT', statuses: ['UNSHIPPED'] });
    expect(generated.status).toBe(201);
    await running.sandbox('POST', '/_sandbox/faults', { operation: 'searchOrders', sellerId: SELLER.sellerId, latencyMs: 1500 });
    await running.sandbox('POST', '/_sandbox/faults', { operation: 'searchOrders', sellerId: SELLER.sellerId, throttleStorm: { count: 2 } });
    const created = await running.createAccount(SELLER, 'EU', { syncEnabled: false });
    expect(created.status).toBe(201);
    const accountId = created.body.id as string;

    const asked = await running.api('POST', `/api/v1/accounts/${accountId}/sync`, {});
    expect(asked.status).toBe(202);
    expect(asked.body).toMatchObject({ accountId, runId: expect.any(String), status: 'queued', alreadyRunning: false });
    const runId = asked.body.runId as string;

    // Polled while it runs: what the API shows grows page by page.
    const observed: { status: string; pagesFetched: number; pagesCommitted: number; ordersSeen: number; step: string | null }[] = [];
    let secondAsk: any;
    let listedRunning: string[] | undefined;
    const done = await waitFor(
      async () => {
        const run = (await running.api('GET', `/api/v1/accounts/${accountId}/sync-runs/${runId}`)).body;
        observed.push({ status: run.status, pagesFetched: run.pagesFetched, pagesCommitted: run.pagesCommitted, ordersSeen: run.ordersSeen, step: run.step });
        if (run.status === 'running') {
          secondAsk ??= await running.api('POST', `/api/v1/accounts/${accountId}/sync`, {});
          listedRunning ??= ((await running.api('GET', '/api/v1/sync-runs?status=running')).body.items as any[]).map((r) => r.id);
        }
        return ['succeeded', 'failed'].includes(run.status) ? run : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 200, what: 'the requested run to finish' },
    );
    await running.sandbox('DELETE', '/_sandbox/faults');

    // The second request while it ran: the same run, not a second one.
    expect(secondAsk.status).toBe(202);
    expect(secondAsk.body).toMatchObject({ accountId, runId, status: 'running', alreadyRunning: true });
    expect(listedRunning).toContain(runId);
    const runs = (await running.api('GET', `/api/v1/accounts/${accountId}/sync-runs?limit=500`)).body.items as any[];
    expect(runs.map((r) => r.id)).toEqual([runId]);

    // Seen while running: at least two different counts of committed pages and of orders, growing.
    const whileRunning = observed.filter((o) => o.status === 'running');
    const committed = [...new Set(whileRunning.map((o) => o.pagesCommitted))];
    const seen = [...new Set(whileRunning.map((o) => o.ordersSeen))];
    expect(committed.length).toBeGreaterThanOrEqual(2);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(committed).toEqual([...committed].sort((a, b) => a - b));
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    // Part of the orders, mid-run (after its last page the run still reads on to the end and moves the cursor).
    expect(seen.some((n) => n > 0 && n < ORDERS)).toBe(true);
    expect(whileRunning.some((o) => /fetch page \d+/.test(o.step ?? ''))).toBe(true);

    expect(done).toMatchObject({
      id: runId,
      accountId,
      status: 'succeeded',
      trigger: 'manual',
      ordersSeen: ORDERS,
      ordersCreated: ORDERS,
      ordersUpdated: 0,
      ordersQuarantined: 0,
      step: null,
      errors: [],
    });
    // Four pages of 100 (and, should Amazon hand out a token after the last, an empty fifth).
    expect(done.pagesCommitted).toBeGreaterThanOrEqual(4);
    expect(done.pagesFetched).toBe(done.pagesCommitted);
    expect(done.replica).toEqual(expect.any(String));
    expect(Date.parse(done.startedAt)).toBeGreaterThanOrEqual(Date.parse(done.requestedAt));
    expect(Date.parse(done.finishedAt)).toBeGreaterThan(Date.parse(done.startedAt));
    // The storm's two 429s, and the waits for searchOrders' quota they caused.
    expect(done.throttled).toBe(2);
    // Every try counts, the LWA token request too (the account's first run): pages, the two 429s, one token.
    expect(done.apiCalls).toBe(done.pagesFetched + 2 + 1);
    expect(done.rateLimitWaits).toBeGreaterThanOrEqual(1);
    expect(done.rateLimitWaitSeconds).toBeGreaterThan(0);
    // The list shows the same fields; nothing runs any more.
    expect(runs[0]).toEqual(done);
    expect(((await running.api('GET', `/api/v1/sync-runs?status=running&accountId=${accountId}`)).body.items as any[])).toEqual([]);
    expect(running.output.filter((line) => /unhandled rejection/i.test(line))).toEqual([]);
  });

  it('shows another account\'s run as not found, and a limited key only its own accounts\' runs', async () => {
    const other = await running.createAccount(OTHER, 'EU', { syncEnabled: false });
    const mine = await running.createAccount({ ...OTHER, sellerId: 'A2PROGRESS0003' }, 'EU', { syncEnabled: false });
    const { runId } = (await running.api('POST', `/api/v1/accounts/${other.body.id}/sync`, {})).body;
    expect((await running.api('GET', `/api/v1/accounts/${mine.body.id}/sync-runs/${runId}`)).status).toBe(404);
    expect((await running.api('GET', `/api/v1/accounts/${other.body.id}/sync-runs/${runId}`)).status).toBe(200);
    expect((await running.api('GET', `/api/v1/accounts/${other.body.id}/sync-runs/not-a-uuid`)).status).toBe(400);
    expect((await running.api('GET', '/api/v1/sync-runs?status=sleeping')).status).toBe(400);

    const key = await running.api('POST', '/api/v1/keys', { name: 'mine only', scopes: ['read'], accountIds: [mine.body.id] });
    expect(key.status).toBe(201);
    const asLimited = (path: string) => request<any>('GET', `${running.gatewayUrl}${path}`, undefined, { authorization: `Bearer ${key.body.key}` });
    const all = await asLimited('/api/v1/sync-runs?limit=500');
    expect(all.status).toBe(200);
    expect((all.body.items as any[]).every((r) => r.accountId === mine.body.id)).toBe(true);
    expect((all.body.items as any[]).map((r) => r.id)).not.toContain(runId);
    expect((await asLimited(`/api/v1/sync-runs?accountId=${other.body.id}`)).status).toBe(403);
    expect((await asLimited(`/api/v1/accounts/${other.body.id}/sync-runs/${runId}`)).status).toBe(404);
    // The full key sees it.
    const everyone = (await running.api('GET', `/api/v1/sync-runs?limit=500`)).body.items as any[];
    expect(everyone.map((r) => r.id)).toContain(runId);
  });
});
