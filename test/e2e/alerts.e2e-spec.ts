import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { EventStream } from '@connector/messaging';
import { amazonOrder, RunningSystem, waitFor } from '@connector/testing';

/*
 * Alert webhooks with every service as its own process: a webhook receiver (an HTTP server of
 * this test) subscribed to every kind, and each kind caused for real, once: a poison order
 * (quarantine), credentials the sandbox refuses (and so a sync that stalls), a confirmation
 * Amazon refuses (notification failed for good), an event no handler can take (parked), and a
 * service stopped (not ready, then ready again). Each cause is alerted once.
 */

const SELLER = { sellerId: 'A2ALERTS000001', clientId: 'alerts-client', clientSecret: 'alerts-secret', refreshToken: 'Atzr|alerts', marketplaceIds: ['A1PA6795UKMFR9'] };
/** A seller whose account is given a refresh token the sandbox does not know: LWA refuses it. */
const REFUSED = { sellerId: 'A2ALERTSREF001', clientId: 'refused-client', clientSecret: 'refused-secret', refreshToken: 'Atzr|refused', marketplaceIds: ['A1PA6795UKMFR9'] };
const recently = () => new Date(Date.now() - 180_000).toISOString();
const order = (n: number, extra: Partial<Parameters<typeof amazonOrder>[0]> = {}) =>
  amazonOrder({ orderId: `306-7700000-000000${n}`, lastUpdatedTime: recently(), items: [{ orderItemId: `7700000000000${n}`, sku: 'ALERT-SKU', quantity: 1, unitPrice: '10.00', tax: '1.60' }], ...extra });
const GOOD = order(1);
const POISON = order(2, { currency: 'QQQ' });

interface Alert {
  headers: IncomingHttpHeaders;
  json: { id: string; kind: string; accountId?: string; amazonOrderId?: string; service?: string; summary: string; details: Record<string, any>; correlationId?: string };
}

describe('alert webhooks across the running system', () => {
  const running = new RunningSystem();
  const alerts: Alert[] = [];
  let receiver: Server;
  let accountId: string;
  let refusedAccountId: string;

  const alertsOf = (kind: string, match: (a: Alert['json']) => boolean = () => true) => alerts.filter((a) => a.json.kind === kind && match(a.json));
  const waitForAlert = (kind: string, match: (a: Alert['json']) => boolean, timeoutMs = 90_000) =>
    waitFor(() => alertsOf(kind, match)[0], { timeoutMs, what: `a ${kind} alert` });
  const deliveryOf = async (amazonOrderId: string) => {
    const found = (await running.api('GET', `/api/v1/orders?amazonOrderId=${amazonOrderId}`)).body.items?.[0];
    return found && { order: found, delivery: (await running.api('GET', `/api/v1/deliveries?orderId=${found.id}`)).body.items?.[0] };
  };
  const runsOf = async (id: string) => (await running.api('GET', `/api/v1/accounts/${id}/sync-runs?limit=500`)).body.items as any[];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        alerts.push({ headers: req.headers, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    await running.start({
      SANDBOX_TIME_SCALE: '20',
      SPAPI_RATE_SCALE: '20',
      // Stalled: no successful sync for the account's interval (60 s) and 6 s more.
      ALERT_SYNC_STALLED_MINUTES: '0.1',
      ALERT_HEALTH_CHECK_SECONDS: '1',
      ALERT_NOT_READY_CHECKS: '3',
    });
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts`;
    const kinds = ['account.credentials_refused', 'account.sync_stalled', 'order.quarantined', 'notification.failed', 'event.parked', 'service.not_ready'];
    expect((await running.api('POST', '/api/v1/alert-webhooks', { url, kinds })).status).toBe(201);
    for (const seller of [SELLER, REFUSED]) expect((await running.sandbox('POST', '/_sandbox/sellers', seller)).status).toBe(201);
    for (const o of [GOOD, POISON]) expect((await running.sandbox('POST', `/_sandbox/sellers/${SELLER.sellerId}/orders`, o)).status).toBe(201);
  }, 180_000);

  afterAll(async () => {
    await running.stop();
    await new Promise((resolve) => receiver?.close(resolve));
  }, 60_000);

  it('alerts refused credentials once, and then the stalled sync of that account once', async () => {
    const created = await running.createAccount(REFUSED, 'EU', { refreshToken: 'Atzr|revoked-long-ago', syncIntervalSeconds: 60 });
    expect(created.status).toBe(201);
    refusedAccountId = created.body.id;
    const refused = await waitForAlert('account.credentials_refused', (a) => a.accountId === refusedAccountId);
    expect(refused.json).toMatchObject({ service: 'order-ingestion', details: { code: 'invalid_client', status: 401 } });
    // The refusal says nothing of the credentials themselves.
    expect(JSON.stringify(refused.json)).not.toMatch(/revoked-long-ago|refused-secret/);
    // Another run is refused again: still the same episode.
    expect((await running.api('POST', `/api/v1/accounts/${refusedAccountId}/sync`, {})).status).toBe(202);
    await waitFor(async () => (await runsOf(refusedAccountId)).filter((r) => r.status === 'failed').length >= 2, { timeoutMs: 60_000, what: 'a second refused run' });
  });

  it('alerts a quarantined order once, however many runs retry it', async () => {
    const created = await running.createAccount(SELLER, 'EU', { syncEnabled: false });
    expect(created.status).toBe(201);
    accountId = created.body.id;
    for (let run = 1; run <= 2; run++) {
      expect((await running.api('POST', `/api/v1/accounts/${accountId}/sync`, {})).status).toBe(202);
      await waitFor(async () => (await runsOf(accountId)).filter((r) => r.status === 'succeeded').length >= run, { timeoutMs: 60_000, what: `sync run ${run}` });
    }
    const quarantined = await waitForAlert('order.quarantined', (a) => a.amazonOrderId === POISON.orderId);
    expect(quarantined.json).toMatchObject({ accountId, service: 'order-ingestion', details: { reason: expect.stringMatching(/currency "QQQ"/) } });
    expect(quarantined.headers['x-connector-alert-id']).toBe(quarantined.json.id);
    // Raised in a sync run: it carries the run's correlation id (the run's id).
    expect((await runsOf(accountId)).map((r) => r.id)).toContain(quarantined.json.correlationId);
    expect(String(quarantined.headers['x-connector-signature'])).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
  });

  it('alerts a confirmation Amazon refuses for good, once', async () => {
    const { delivery } = await waitFor(async () => (await deliveryOf(GOOD.orderId))?.delivery && (await deliveryOf(GOOD.orderId)), { timeoutMs: 60_000, what: 'the delivery of the good order' });
    // Cancelled at Amazon meanwhile: Amazon refuses the confirmation with a 400.
    await running.sandbox('POST', `/_sandbox/orders/${GOOD.orderId}/status`, { status: 'CANCELLED', cancelledBy: 'BUYER' });
    expect((await running.api('POST', `/api/v1/deliveries/${delivery.id}/validate`, { carrierCode: 'DHL', trackingNumber: 'ALERT-REFUSED-1' })).status).toBe(200);
    const failed = await waitForAlert('notification.failed', (a) => a.amazonOrderId === GOOD.orderId);
    expect(failed.json).toMatchObject({ accountId, service: 'amazon-notifications', details: { notificationKind: 'shipment_confirmation', reason: expect.stringMatching(/^SpApiError 400/) } });
  });

  it('alerts an event a service parks, once', async () => {
    // An event no handler can take (not a delivery.created payload), as a broken publisher would send it.
    const stream = new EventStream({ natsUrl: running.env.natsUrl, namespace: running.env.namespace, serviceName: 'alerts-e2e' });
    try {
      await stream.publishAll([{ subject: 'delivery.created.v1', data: JSON.stringify({ deliveryId: 'Erika Mustermann' }), id: 'alerts-e2e-poison-event' }]);
    } finally {
      await stream.onApplicationShutdown();
    }
    const parked = await waitForAlert('event.parked', (a) => a.details.eventId === 'alerts-e2e-poison-event');
    expect(parked.json).toMatchObject({ service: 'order-ingestion', summary: 'order-ingestion parked a delivery.created.v1 event: unreadable or invalid', details: { subject: 'delivery.created.v1', reason: 'unreadable or invalid' } });
    // Neither the payload nor an error text that could quote it goes to the webhook.
    expect(JSON.stringify(parked.json)).not.toContain('Erika');
  });

  it('alerts the stalled sync of the refused account, once', async () => {
    const stalled = await waitForAlert('account.sync_stalled', (a) => a.accountId === refusedAccountId, 120_000);
    expect(stalled.json).toMatchObject({ service: 'order-ingestion', details: { lastSucceededAt: null } });
  }, 150_000);

  it("tells the stalled sync's end by the account's name once it syncs again", async () => {
    // The seller authorises the app again: the account gets the refresh token the sandbox knows.
    expect((await running.api('PATCH', `/api/v1/accounts/${refusedAccountId}`, { refreshToken: REFUSED.refreshToken })).status).toBe(200);
    expect((await running.api('POST', `/api/v1/accounts/${refusedAccountId}/sync`, {})).status).toBe(202);
    const resolved = await waitForAlert('account.sync_stalled.resolved', (a) => a.accountId === refusedAccountId, 120_000);
    const { name } = (await running.api('GET', `/api/v1/accounts/${refusedAccountId}`)).body;
    expect(resolved.json).toMatchObject({ service: 'order-ingestion', summary: `account ${name} syncs again (or no longer syncs)`, details: { accountId: refusedAccountId } });
    await waitForAlert('account.credentials_refused.resolved', (a) => a.accountId === refusedAccountId, 60_000);
  }, 150_000);

  it('alerts a stopped service as not ready once, and ready again when it is back', async () => {
    await running.system.process('inventory').stop();
    const down = await waitForAlert('service.not_ready', (a) => a.service === 'inventory', 60_000);
    expect(down.json.summary).toMatch(/inventory failed 3 health checks in a row/);
    await running.system.process('inventory').start();
    await waitForAlert('service.not_ready.resolved', (a) => a.service === 'inventory', 60_000);
  });

  it('sent each cause once, and only what was caused', async () => {
    // The healthy account syncs by hand only (sync disabled): never stalled. Nothing else was caused.
    const counts = alerts.reduce<Record<string, number>>((all, a) => {
      const key = `${a.json.kind} ${a.json.accountId ?? a.json.service} ${a.json.amazonOrderId ?? a.json.details.eventId ?? ''}`.trim();
      return { ...all, [key]: (all[key] ?? 0) + 1 };
    }, {});
    expect(counts).toEqual({
      [`account.credentials_refused ${refusedAccountId}`]: 1,
      [`account.sync_stalled ${refusedAccountId}`]: 1,
      [`account.credentials_refused.resolved ${refusedAccountId}`]: 1,
      [`account.sync_stalled.resolved ${refusedAccountId}`]: 1,
      [`order.quarantined ${accountId} ${POISON.orderId}`]: 1,
      [`notification.failed ${accountId} ${GOOD.orderId}`]: 1,
      'event.parked order-ingestion alerts-e2e-poison-event': 1,
      'service.not_ready inventory': 1,
      'service.not_ready.resolved inventory': 1,
    });
    // Receivers dedupe by the alert id: every alert has its own.
    expect(new Set(alerts.map((a) => a.json.id)).size).toBe(alerts.length);
    expect(running.output.filter((line) => /unhandled rejection/i.test(line))).toEqual([]);
  });
});
