import { SERVICE_NAMES } from '@connector/contracts';
import { scrapeMetrics, ScrapedMetrics } from '@connector/test-environment';
import { amazonOrder, API_KEY, RunningSystem, waitFor } from '@connector/testing';

const SELLER = { sellerId: 'A2METRICS00001', clientId: 'metrics-client', clientSecret: 'metrics-secret', refreshToken: 'Atzr|metrics', marketplaceIds: ['A1PA6795UKMFR9'] };
const recently = () => new Date(Date.now() - 180_000).toISOString();
const FBM = [1, 2, 3, 4].map((n) =>
  amazonOrder({ orderId: `304-0000000-000000${n}`, lastUpdatedTime: recently(), items: [{ orderItemId: `6100000000000${n}`, sku: 'MET-MUG', quantity: 1, unitPrice: '9.00', tax: '1.44' }] }),
);
const FBA = amazonOrder({
  orderId: '304-0000000-0000009',
  lastUpdatedTime: recently(),
  fulfilledBy: 'AMAZON',
  status: 'SHIPPED',
  items: [{ orderItemId: '61000000000009', sku: 'MET-MUG', quantity: 2, unitPrice: '9.00', tax: '2.87' }],
});
const ORDERS = [...FBM, FBA];
/** A seller whose sync is off, as far behind as the refused one: never one of the accounts behind. */
const SYNC_OFF = { sellerId: 'A2METRICSOFF01', clientId: 'metrics-off', clientSecret: 'metrics-off-secret', refreshToken: 'Atzr|metrics-off', marketplaceIds: ['A1PA6795UKMFR9'] };
/** A seller whose app authorisation Amazon no longer takes: the account is made with another refresh token. */
const REFUSED = { sellerId: 'A2METRICSREF01', clientId: 'metrics-refused', clientSecret: 'metrics-refused-secret', refreshToken: 'Atzr|metrics-refused', marketplaceIds: ['A1PA6795UKMFR9'] };

/**
 * Metrics change as orders flow, read as Prometheus reads them: every service scraped over HTTP
 * (the services on their management port, the gateway on its own with an API key), the text
 * parsed, and counters compared before and after.
 */
describe('metrics as orders flow', () => {
  const running = new RunningSystem();
  let accountId: string;
  /** Calls of the test to GET /api/v1/orders (the route whose latency is counted). */
  let orderListCalls = 0;
  const before: Record<string, ScrapedMetrics> = {};

  const scrape = (service: (typeof SERVICE_NAMES)[number] | 'gateway') =>
    service === 'gateway' ? scrapeMetrics(`${running.gatewayUrl}/metrics`, API_KEY) : scrapeMetrics(`${running.system.managementUrl(service)}/metrics`);
  const listOrders = async () => {
    orderListCalls++;
    return (await running.api('GET', `/api/v1/orders?accountId=${accountId}&limit=50`)).body.items as any[];
  };

  beforeAll(async () => {
    await running.start({ SANDBOX_TIME_SCALE: '60', SPAPI_RATE_SCALE: '60' });
    await running.sandbox('POST', '/_sandbox/sellers', SELLER);
    await running.sandbox('POST', '/_sandbox/sellers', REFUSED);
    for (const order of ORDERS) expect((await running.sandbox('POST', `/_sandbox/sellers/${SELLER.sellerId}/orders`, order)).status).toBe(201);
    for (const service of [...SERVICE_NAMES, 'gateway'] as const) before[service] = await scrape(service);
    accountId = (await running.createAccount(SELLER)).body.id;
    await waitFor(async () => (await listOrders()).length === ORDERS.length, { timeoutMs: 60_000, what: 'the orders synced' });
  }, 180_000);

  afterAll(() => running.stop(), 60_000);

  it('order-ingestion: orders synced as many as were synced, successful runs, Amazon calls with status 200, the sync lag of the one account; no series names an account', async () => {
    const after = await waitFor(
      async () => {
        const metrics = await scrape('order-ingestion');
        return metrics.sum('connector_sync_runs_total', { outcome: 'succeeded' }) >= 1 ? metrics : undefined;
      },
      { what: 'a successful sync run counted' },
    );
    const synced = (m: ScrapedMetrics) => m.sum('connector_orders_synced_total', { result: 'created' });
    expect(synced(after) - synced(before['order-ingestion'])).toBe(ORDERS.length);
    expect(after.sum('connector_orders_quarantined_total')).toBe(0);
    // None quarantined: 0 (a panel or rule sees it), not nothing.
    expect(after.samples('connector_quarantined_orders').map((sample) => sample.value)).toEqual([0]);
    expect(after.samples('connector_quarantined_orders_accounts').map((sample) => sample.value)).toEqual([0]);
    expect(after.samples('connector_newly_quarantined_orders').map((sample) => sample.value)).toEqual([0]);
    expect(after.sum('connector_amazon_requests_total', { operation: 'searchOrders', status: '200' })).toBeGreaterThan(0);
    expect(after.sum('connector_amazon_requests_total', { operation: 'lwaToken', status: '200' })).toBeGreaterThan(0);
    expect(after.sum('connector_amazon_requests_total', { status: '429' })).toBe(0);
    // The series do not grow with the accounts (issue 18): the account is in the API, not in a label.
    expect(after.text).not.toContain('account_id=');
    expect(after.histogramCount('connector_amazon_rate_limit_wait_seconds', { operation: 'searchOrders' })).toBeGreaterThan(0);
    // Its tokens came from the shared quotas (PostgreSQL), never paced alone.
    expect(after.histogramCount('connector_amazon_quota_store_duration_seconds', { statement: 'take' })).toBeGreaterThan(0);
    expect(after.sum('connector_amazon_quota_store_away')).toBe(0);
    expect(after.sum('connector_amazon_quota_local_takes_total')).toBe(0);
    expect(after.histogramCount('connector_sync_run_duration_seconds', { outcome: 'succeeded' })).toBeGreaterThan(0);
    expect(after.sum('connector_amazon_credentials_refused_accounts')).toBe(0);
    expect(after.sum('connector_sync_enabled_accounts')).toBe(1);
    // The cursor moved to about now (less the sandbox's clock lead and the run's time): the worst lag is the account's.
    const [lag] = after.samples('connector_sync_lag_seconds', { quantile: '1' });
    expect(lag.value).toBeGreaterThanOrEqual(0);
    expect(lag.value).toBeLessThan(600);
    expect(after.sum('connector_sync_lagging_accounts', { over: '15m' })).toBe(0);
    // Every event written went out.
    await waitFor(async () => (await scrape('order-ingestion')).sum('connector_outbox_events') === 0, { what: 'the outbox of order-ingestion drained' });
    expect(after.sum('connector_outbox_events_published_total') - before['order-ingestion'].sum('connector_outbox_events_published_total')).toBeGreaterThanOrEqual(ORDERS.length);
  });

  it('inventory: an order.synced event handled per order, the FBM deliveries waiting (of one account), the consumer caught up', async () => {
    const after = await waitFor(
      async () => {
        const metrics = await scrape('inventory');
        return metrics.sum('connector_deliveries_waiting') === FBM.length ? metrics : undefined;
      },
      { what: 'the FBM deliveries waiting' },
    );
    expect(after.sum('connector_deliveries_waiting_accounts')).toBe(1);
    expect(after.sum('connector_deliveries_oldest_waiting_age_seconds')).toBeGreaterThan(0);
    expect(after.text).not.toContain('account_id=');
    const handled = (m: ScrapedMetrics) => m.histogramCount('connector_event_processing_seconds', { event_type: 'order.synced.v1' });
    expect(handled(after) - handled(before.inventory)).toBeGreaterThanOrEqual(ORDERS.length);
    expect(after.sum('connector_parked_events')).toBe(0);
    // Handling an order writes events (delivery created) that the relay sends a moment later: wait for it to drain.
    await waitFor(async () => (await scrape('inventory')).sum('connector_outbox_events') === 0, { what: 'the outbox of inventory drained' });
    await waitFor(
      async () => {
        const pending = (await scrape('inventory')).samples('connector_consumer_pending_messages');
        return pending.length > 0 && pending.every((sample) => sample.value === 0);
      },
      { what: "inventory's consumers with nothing pending" },
    );
    expect(after.sum('connector_db_pool_connections')).toBeGreaterThan(0);
  });

  it('amazon-notifications: a validated delivery becomes a confirmation sent to Amazon', async () => {
    const [delivery] = (await running.api('GET', `/api/v1/deliveries?orderId=${(await listOrders()).find((o) => o.amazonOrderId === FBM[0].orderId).id}`)).body.items;
    expect((await running.api('POST', `/api/v1/deliveries/${delivery.id}/validate`, { carrierCode: 'DHL', trackingNumber: 'MET-1' })).status).toBe(200);
    const sent = (m: ScrapedMetrics) => m.sum('connector_notifications_completed_total', { kind: 'shipment_confirmation', state: 'sent' });
    const after = await waitFor(
      async () => {
        const metrics = await scrape('amazon-notifications');
        return sent(metrics) - sent(before['amazon-notifications']) === 1 ? metrics : undefined;
      },
      { what: 'the confirmation counted as sent' },
    );
    expect(after.sum('connector_notifications_completed_total', { state: 'failed' })).toBe(0);
    expect(after.sum('connector_amazon_requests_total', { operation: 'confirmShipment' })).toBeGreaterThan(0);
    expect(after.histogramCount('connector_amazon_quota_store_duration_seconds', { statement: 'take' })).toBeGreaterThan(0);
    expect(after.sum('connector_amazon_quota_store_away')).toBe(0);
    expect(after.samples('connector_notifications', { kind: 'shipment_confirmation', state: 'failed' })).toEqual([
      expect.objectContaining({ value: 0 }),
    ]);
    await waitFor(async () => (await scrape('inventory')).sum('connector_deliveries_waiting') === FBM.length - 1, {
      what: 'one delivery fewer waiting',
    });
  });

  it('order-ingestion: an account whose credentials LWA refuses is counted (from its alert episode) and named by GET /api/v1/accounts?credentialsRefused=true; deleted, it is not', async () => {
    // Sync off and 30 days behind (its initialSyncFrom): neither counted nor listed as behind, as the metrics do.
    expect((await running.sandbox('POST', '/_sandbox/sellers', SYNC_OFF)).status).toBe(201);
    const syncOffId = (await running.createAccount(SYNC_OFF, 'EU', { syncEnabled: false })).body.id as string;
    expect(syncOffId).toBeDefined();
    const refusedId = (await running.createAccount(REFUSED, 'EU', { refreshToken: 'Atzr|revoked-long-ago' })).body.id as string;
    const refused = await waitFor(
      async () => {
        const metrics = await scrape('order-ingestion');
        return metrics.sum('connector_amazon_credentials_refused_accounts') === 1 ? metrics : undefined;
      },
      { timeoutMs: 60_000, what: 'one account whose credentials are refused' },
    );
    expect(refused.sum('connector_amazon_requests_total', { operation: 'lwaToken', status: '401' })).toBeGreaterThan(0);
    // Every series says which replica it came from.
    expect(refused.samples('connector_amazon_credentials_refused_accounts')[0].labels).toMatchObject({ service: 'order-ingestion', replica: expect.stringMatching(/-\d+$/) });
    // Never synced since its initialSyncFrom (30 days back): a day behind and more.
    expect(refused.sum('connector_sync_lagging_accounts', { over: '24h' })).toBe(1);
    expect(refused.sum('connector_sync_enabled_accounts')).toBe(2);
    // Its episode opened just now: newly refused too (the rule that notifies each new one).
    expect(refused.sum('connector_amazon_credentials_newly_refused_accounts')).toBe(1);

    // Which account the alert is about is the API's.
    const ids = async (query: string) => ((await running.api('GET', `/api/v1/accounts?${query}`)).body.items as { id: string }[]).map((account) => account.id);
    expect(await ids('credentialsRefused=true')).toEqual([refusedId]);
    expect((await ids('credentialsRefused=false')).sort()).toEqual([accountId, syncOffId].sort());
    expect(await ids('syncLagOverSeconds=86400')).toEqual([refusedId]);
    expect((await ids('syncLagOverSeconds=0')).sort()).toEqual([accountId, refusedId].sort());
    const bad = await running.api('GET', '/api/v1/accounts?syncLagOverSeconds=-1&credentialsRefused=maybe');
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((problem: { field: string }) => problem.field).sort()).toEqual(['credentialsRefused', 'syncLagOverSeconds']);
    // Empty is no number of seconds (class-transformer's Number('') would make it 0: every account).
    for (const query of ['syncLagOverSeconds=', 'syncLagOverSeconds=1e3', 'syncLagOverSeconds=0x10']) {
      const refusedAnswer = await running.api('GET', `/api/v1/accounts?${query}`);
      expect([query, refusedAnswer.status, refusedAnswer.body.details?.map((problem: { field: string }) => problem.field)]).toEqual([query, 400, ['syncLagOverSeconds']]);
    }

    expect((await running.api('DELETE', `/api/v1/accounts/${refusedId}`)).status).toBe(204);
    const after = await waitFor(
      async () => {
        const metrics = await scrape('order-ingestion');
        return metrics.sum('connector_amazon_credentials_refused_accounts') === 0 ? metrics : undefined;
      },
      { what: 'the deleted account no longer counted' },
    );
    expect(after.sum('connector_sync_enabled_accounts')).toBe(1);
    expect(after.sum('connector_sync_lagging_accounts', { over: '24h' })).toBe(0);
    expect(await ids('credentialsRefused=true')).toEqual([]);
    expect(after.histogramCount('connector_sync_run_queue_wait_seconds')).toBeGreaterThan(0);
  });

  it('every process says it is ready (connector_ready 1, from the assessment behind /health/ready)', async () => {
    for (const service of [...SERVICE_NAMES, 'gateway'] as const) {
      const metrics = await scrape(service);
      expect([service, metrics.samples('connector_ready').map((sample) => [sample.labels.service, sample.value])]).toEqual([service, [[service, 1]]]);
    }
  });

  it('gateway: request durations by route pattern and status, as many as were answered', async () => {
    const calls = orderListCalls;
    const after = await scrape('gateway');
    const route = { method: 'GET', route: '/api/v1/orders', status: '200' };
    expect(after.histogramCount('connector_http_request_duration_seconds', route) - before.gateway.histogramCount('connector_http_request_duration_seconds', route)).toBe(calls);
    // The pattern, never the raw URL: no series names an id.
    const routes = after.samples('connector_http_request_duration_seconds_count').map((sample) => sample.labels.route);
    expect(routes).toContain('/api/v1/deliveries/:id/validate');
    expect(routes.some((r) => /[0-9a-f]{8}-[0-9a-f]{4}/.test(r))).toBe(false);
  });
});
