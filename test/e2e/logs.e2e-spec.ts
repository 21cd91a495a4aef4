import { randomUUID } from 'node:crypto';
import { amazonOrder, API_KEY, RunningSystem, waitFor } from '@connector/testing';

const SELLER = { sellerId: 'A2LOGS00000001', clientId: 'logs-client', clientSecret: 'logs-client-secret-5f1e', refreshToken: 'Atzr|logs-refresh-9c2d', marketplaceIds: ['A1PA6795UKMFR9'] };
const BUYER = { name: 'Wilhelmine Zauberflöte', email: 'wilhelmine.zauberfloete@example.de', street: 'Zaubergasse 42', phone: '+49 30 5550199', gift: 'Alles Gute, Wilhelmine' };
const ORDER_ID = '305-0000001-0000001';
const SERVICES = ['gateway', 'order-ingestion', 'partner-resolution', 'inventory', 'amazon-notifications'];

interface LogLine {
  process: string;
  text: string;
  json?: Record<string, any>;
}

/**
 * Structured logs across the system: every service writes JSON lines; one order synced and its
 * delivery validated leave the same correlation id on lines of at least three services each
 * (the sync run's, from order-ingestion through partner-resolution's requests and inventory's
 * events; the validation's, given by the caller, from the gateway through inventory's events to
 * amazon-notifications), with the account and Amazon order id; and no secret or buyer data in
 * any process's output.
 */
describe('logs: JSON lines with one correlation id across the services, nothing secret', () => {
  const running = new RunningSystem();
  const correlationId = `logs-e2e-${randomUUID()}`;
  let accountId: string;
  let validation: Response;

  /** The output, by process (the System prefixes each line with the process's name). */
  const lines = (): LogLine[] =>
    running.output.map((raw) => {
      // `name   | line`, the name coloured only when the test's stdout is a terminal.
      const bar = raw.indexOf('| ');
      const process = raw.slice(0, bar).replace(/\[\d+m/g, '').replace(/[^a-z-]/g, '') || '?';
      const text = raw.slice(bar + 2);
      let json: Record<string, any> | undefined;
      try {
        json = text.startsWith('{') ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      return { process, text, json };
    });
  const servicesWith = (id: string) => [...new Set(lines().filter((l) => l.json?.correlationId === id).map((l) => l.process))].sort();

  beforeAll(async () => {
    await running.start({ LOG_LEVEL: 'log', SANDBOX_TIME_SCALE: '20', SPAPI_RATE_SCALE: '20' });
    await running.sandbox('POST', '/_sandbox/sellers', SELLER);
    const order = amazonOrder({
      orderId: ORDER_ID,
      lastUpdatedTime: new Date(Date.now() - 180_000).toISOString(),
      buyer: { buyerName: BUYER.name, buyerEmail: BUYER.email },
      address: { name: BUYER.name, addressLine1: BUYER.street, phone: BUYER.phone },
      items: [{ orderItemId: '70000000000001', sku: 'LOGS-SKU', quantity: 1, unitPrice: '10.00', tax: '1.60', giftWrap: '2.00', giftMessage: BUYER.gift }],
    });
    await running.sandbox('POST', `/_sandbox/sellers/${SELLER.sellerId}/orders`, order);
    const account = await running.createAccount(SELLER);
    expect(account.status).toBe(201);
    accountId = account.body.id;
    const salesOrder = await waitFor(async () => (await running.api('GET', `/api/v1/orders?amazonOrderId=${ORDER_ID}`)).body.items?.[0], { timeoutMs: 60_000, what: 'the order synced' });
    const delivery = await waitFor(async () => (await running.api('GET', `/api/v1/deliveries?orderId=${salesOrder.id}`)).body.items?.[0], { timeoutMs: 60_000, what: 'its delivery' });
    validation = await fetch(`${running.gatewayUrl}/api/v1/deliveries/${delivery.id}/validate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}`, 'x-correlation-id': correlationId },
      body: JSON.stringify({ carrierCode: 'DHL', trackingNumber: 'LOGS-1' }),
    });
    expect(validation.status).toBe(200);
    await waitFor(async () => (await running.api('GET', `/api/v1/notifications?orderId=${salesOrder.id}`)).body.items?.[0]?.state === 'sent', { timeoutMs: 60_000, what: 'the shipment confirmed to Amazon' });
    // Lines of the work that follows the confirmation are written by then; the sync run's too.
    await waitFor(() => servicesWith(correlationId).length >= 3, { timeoutMs: 10_000, what: 'lines of three services under the validation\'s correlation id' });
  }, 240_000);

  afterAll(() => running.stop(), 60_000);

  it("every service writes JSON lines (besides the runtime's plain start and stop lines)", () => {
    const ofServices = lines().filter((l) => SERVICES.includes(l.process));
    expect(ofServices.length).toBeGreaterThan(20);
    // The runtime's lifecycle lines (`<service>: HTTP on …`, `: ready …`, `: SIGTERM: stopping …`, `: stopped`) stay plain: launchers wait for them.
    const plain = ofServices.filter((l) => !l.json && !l.text.startsWith(`${l.process}: `));
    expect(plain.map((l) => `${l.process}| ${l.text}`)).toEqual([]);
    for (const { json } of ofServices.filter((l) => l.json)) {
      expect(json).toEqual(expect.objectContaining({ level: expect.any(String), time: expect.any(String), service: expect.any(String), msg: expect.any(String) }));
    }
  });

  it('the sync run of the order: its correlation id on lines of order-ingestion, partner-resolution and inventory, with the account and the order', () => {
    const orderLines = lines().filter((l) => l.process === 'order-ingestion' && l.json?.amazonOrderId === ORDER_ID);
    expect(orderLines.length).toBeGreaterThan(0);
    const runId = orderLines[0].json!.correlationId;
    expect(runId).toEqual(expect.any(String));
    expect(orderLines[0].json).toMatchObject({ accountId, amazonOrderId: ORDER_ID });
    expect(servicesWith(runId)).toEqual(expect.arrayContaining(['order-ingestion', 'partner-resolution', 'inventory']));
    const inventory = lines().find((l) => l.process === 'inventory' && l.json?.correlationId === runId && l.json?.amazonOrderId === ORDER_ID);
    expect(inventory?.json).toMatchObject({ accountId, amazonOrderId: ORDER_ID });
  });

  it("the validation: the caller's correlation id is answered, and is on lines of the gateway, inventory and amazon-notifications, with the account and the order", () => {
    expect(validation.headers.get('x-correlation-id')).toBe(correlationId);
    expect(servicesWith(correlationId)).toEqual(expect.arrayContaining(['gateway', 'inventory', 'amazon-notifications']));
    const access = lines().find((l) => l.process === 'gateway' && l.json?.correlationId === correlationId && l.json?.context === 'HTTP');
    expect(access?.json).toMatchObject({ method: 'POST', route: '/api/v1/deliveries/:id/validate', status: 200, durationMs: expect.any(Number) });
    for (const service of ['inventory', 'amazon-notifications']) {
      const line = lines().find((l) => l.process === service && l.json?.correlationId === correlationId && l.json?.amazonOrderId);
      expect(line?.json).toMatchObject({ accountId, amazonOrderId: ORDER_ID });
    }
    // The confirmation is sent later, by a background sender: under the validation's id all the same.
    const sent = lines().find((l) => l.process === 'amazon-notifications' && /confirmed to Amazon/.test(l.json?.msg ?? ''));
    expect(sent?.json).toMatchObject({ correlationId, accountId, amazonOrderId: ORDER_ID });
  });

  it("a manual sync: order-ingestion says under the request's correlation id which run it queued (or found running), and the run keeps the id", async () => {
    const requestId = `sync-${randomUUID()}`;
    const response = await fetch(`${running.gatewayUrl}/api/v1/accounts/${accountId}/sync`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}`, 'x-correlation-id': requestId },
      body: '{}',
    });
    expect(response.status).toBe(202);
    const { runId } = (await response.json()) as { runId: string };
    const line = await waitFor(() => lines().find((l) => l.process === 'order-ingestion' && l.json?.correlationId === requestId), { what: "order-ingestion's line of the request" });
    expect(line.json).toMatchObject({ accountId, context: 'SyncService', msg: expect.stringMatching(new RegExp(`^sync run ${runId} (queued|already queued|already running) for account ${accountId} \\(manual\\)$`)) });
    if (/ queued for/.test(line.json!.msg) && !/already/.test(line.json!.msg)) {
      // Queued by this request: the run names it, and its first line too.
      const run = await waitFor(async () => {
        const view = (await running.api('GET', `/api/v1/accounts/${accountId}/sync-runs/${runId}`)).body;
        return view.status === 'succeeded' ? view : undefined;
      }, { timeoutMs: 60_000, what: 'the requested run' });
      expect(run.requestCorrelationId).toBe(requestId);
      const started = lines().find((l) => l.json?.correlationId === runId && /started \(manual/.test(l.json?.msg ?? ''));
      expect(started?.json?.msg).toContain(`asked for by request ${requestId}`);
    }
  });

  it('the gateway makes a correlation id for a request without one (or with one it does not take), and answers it', async () => {
    const without = await fetch(`${running.gatewayUrl}/api/v1/orders?amazonOrderId=${ORDER_ID}`, { headers: { authorization: `Bearer ${API_KEY}` } });
    expect(without.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
    const odd = await fetch(`${running.gatewayUrl}/api/v1/orders`, { headers: { authorization: `Bearer ${API_KEY}`, 'x-correlation-id': 'has spaces and "quotes"' } });
    expect(odd.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
    const requestId = await fetch(`${running.gatewayUrl}/api/v1/orders`, { headers: { authorization: `Bearer ${API_KEY}`, 'x-request-id': 'from-a-proxy-1' } });
    expect(requestId.headers.get('x-correlation-id')).toBe('from-a-proxy-1');
    // The access line keeps the path, not the query string.
    await waitFor(() => lines().some((l) => l.json?.correlationId === without.headers.get('x-correlation-id') && l.json?.context === 'HTTP'), { what: 'the access line' });
    const access = lines().find((l) => l.json?.correlationId === without.headers.get('x-correlation-id') && l.json?.context === 'HTTP')!;
    expect(access.json).toMatchObject({ method: 'GET', path: '/api/v1/orders', status: 200 });
    expect(access.text).not.toContain('amazonOrderId=');
  });

  it('no process wrote a secret or the buyer\'s data', () => {
    const output = running.output.join('\n');
    for (const secret of [SELLER.clientSecret, SELLER.refreshToken, API_KEY, BUYER.name, BUYER.email, BUYER.street, BUYER.phone, BUYER.gift]) {
      expect({ secret, found: output.includes(secret) }).toEqual({ secret, found: false });
    }
  });
});
