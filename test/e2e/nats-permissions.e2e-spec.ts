import { waitFor } from '@connector/testing';
import { CONNECTOR_PROCESSES, ConnectorProcess, SERVICE_NAMES } from '@connector/contracts';
import { amazonOrder, NatsServerProcess, RunningSystem } from '@connector/testing';
import { natsServerConfig } from '@connector/messaging';
import { request } from '@connector/local-system';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';

const SELLER = { sellerId: 'A2NATSPERM0001', clientId: 'perm-client', clientSecret: 'perm-secret', refreshToken: 'Atzr|perm', marketplaceIds: ['A1PA6795UKMFR9'] };
const passwords = Object.fromEntries(CONNECTOR_PROCESSES.map((p) => [p, `e2e-${p}-password`])) as Record<ConnectorProcess, string>;

const order = amazonOrder({
  orderId: '306-0000001-0000001',
  lastUpdatedTime: new Date(Date.now() - 180_000).toISOString(),
  buyer: { buyerName: 'Petra Perm', buyerEmail: 'pp@marketplace.amazon.de' },
  address: { name: 'Petra Perm', addressLine1: 'Rechteweg 2', city: 'Kiel', postalCode: '24103' },
  items: [{ orderItemId: '56000000000001', sku: 'PERM-CUP', quantity: 1, unitPrice: '9.00', tax: '1.44' }],
});

/** An order order-ingestion quarantines (an unknown currency): its alert goes from order-ingestion's outbox to the gateway's consumer. */
const poison = amazonOrder({
  orderId: '306-0000002-0000002',
  currency: 'QQQ',
  lastUpdatedTime: new Date(Date.now() - 180_000).toISOString(),
  items: [{ orderItemId: '56000000000002', sku: 'PERM-POISON', quantity: 1, unitPrice: '9.00', tax: '1.44' }],
});

/**
 * The shipped NATS configuration is complete: every service runs as its own NATS user with only
 * the permissions generated from the contracts, and a whole order's life works — account
 * creation, sync (partners, products, events), a validated FBM delivery confirmed to Amazon
 * (the credentials request) and the outcome back on the order, and an alert raised by a service
 * and sent by the gateway to a webhook — with no permission refused.
 */
describe('every service as its own NATS user, with only the subjects it owns or uses', () => {
  const running = new RunningSystem();
  let nats: NatsServerProcess;
  let receiver: Server;
  const alerts: { kind: string; amazonOrderId?: string }[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        alerts.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    nats = await NatsServerProcess.start(natsServerConfig({ namespace: running.env.namespace, passwords }));
    await running.start({ NATS_URL: nats.url, SANDBOX_TIME_SCALE: '60', SPAPI_RATE_SCALE: '60' }, (name) =>
      name === 'amazon-sandbox' ? {} : { NATS_USER: name, NATS_PASSWORD: passwords[name] },
    );
  }, 120_000);
  afterAll(async () => {
    await running.stop();
    await nats?.stop();
    await new Promise((resolve) => receiver?.close(resolve));
  }, 60_000);

  it('runs an FBM order from sync to shipment confirmation without a single permission violation', async () => {
    expect((await running.sandbox('POST', '/_sandbox/sellers', SELLER)).status).toBe(201);
    expect((await running.sandbox('POST', `/_sandbox/sellers/${SELLER.sellerId}/orders`, order)).status).toBe(201);
    expect((await running.sandbox('POST', `/_sandbox/sellers/${SELLER.sellerId}/orders`, poison)).status).toBe(201);
    const webhook = { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts`, kinds: ['order.quarantined'] };
    expect((await running.api('POST', '/api/v1/alert-webhooks', webhook)).status).toBe(201);
    const created = await running.createAccount(SELLER);
    expect(created.status).toBe(201);
    const synced = await waitFor(async () => (await running.api('GET', `/api/v1/orders?amazonOrderId=${order.orderId}`)).body.items?.[0], { timeoutMs: 60_000, what: 'the synced order' });
    expect((await running.api('GET', `/api/v1/partners/${synced.contactId}`)).body.name).toBe('Petra Perm');
    const delivery = await waitFor(async () => (await running.api('GET', `/api/v1/deliveries?orderId=${synced.id}`)).body.items?.[0], { what: 'its delivery' });
    expect((await running.api('POST', `/api/v1/deliveries/${delivery.id}/validate`, { carrierCode: 'DHL', trackingNumber: 'PERM-1' })).status).toBe(200);
    await waitFor(async () => (await running.sandbox('GET', `/_sandbox/shipments?orderId=${order.orderId}`)).body.shipments?.length === 1, { what: 'the confirmation at Amazon' });
    await waitFor(async () => (await running.api('GET', `/api/v1/orders/${synced.id}`)).body.amazonNotificationState === 'shipment_confirmation:sent', { what: 'the outcome back on the order' });
    await waitFor(() => alerts.some((a) => a.kind === 'order.quarantined' && a.amazonOrderId === poison.orderId), { what: 'the quarantine alert at the webhook' });
    expect((await running.api('GET', '/health')).status).toBe(200);
    expect((await running.api('GET', '/health/ready')).status).toBe(200);
    // Each service is ready under its own NATS user: its own ping and its features' checks.
    for (const service of SERVICE_NAMES) {
      expect(await request('GET', `${running.system.managementUrl(service)}/health/ready`)).toMatchObject({ status: 200, body: { status: 'ok', info: { nats: { status: 'up' } } } });
    }
    // The gateway's own metrics, and a service's asked over NATS (a request only the gateway may make).
    expect((await running.api('GET', '/metrics/services/inventory')).status).toBe(200);
    expect(nats.output.join('').match(/.*Violation.*/g) ?? []).toEqual([]);
    expect(running.output.filter((line) => /PERMISSIONS_VIOLATION|Permissions Violation/i.test(line))).toEqual([]);
  });
});
