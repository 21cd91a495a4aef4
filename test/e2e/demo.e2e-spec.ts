import { ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { request } from '@connector/local-system';
import { freePort, TestEnvironment } from '@connector/test-environment';
import { waitFor } from '@connector/testing';

const DEMO_SELLER_ID = 'A2DEMOSELLER01';
const API_KEY = 'demo-e2e-key';

/**
 * `npm start` as a user runs it (the launcher from dist/, after `npm run build`), on a database
 * and NATS namespace of its own: the demo account gets order changes within seconds by ORDER_CHANGE
 * notifications through the sandbox's queue, and its stock reaches the sandbox's listings.
 */
describe('npm start: the demo', () => {
  const env = new TestEnvironment();
  let launcher: ChildProcess;
  let exited: Promise<number | null>;
  let output = '';
  let gatewayUrl: string;
  let sandboxUrl: string;
  let accountId: string;

  const api = async <T = any>(method: string, path: string, body?: unknown) => request<T>(method, `${gatewayUrl}/api/v1${path}`, body, { authorization: `Bearer ${API_KEY}` });
  const sandbox = async <T = any>(method: string, path: string, body?: unknown) => request<T>(method, `${sandboxUrl}${path}`, body);

  beforeAll(async () => {
    await env.setUp();
    const [gatewayPort, sandboxPort] = [await freePort(), await freePort()];
    gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
    launcher = spawn(process.execPath, [resolve(__dirname, '../../dist/tools/launcher/src/main.js')], {
      env: {
        ...process.env,
        DATABASE_URL: env.databaseUrl,
        NATS_URL: env.natsUrl,
        NATS_NAMESPACE: env.namespace,
        GATEWAY_PORT: String(gatewayPort),
        SANDBOX_PORT: String(sandboxPort),
        GATEWAY_API_KEYS: API_KEY,
        // Any free management ports: other systems may run on this machine.
        MANAGEMENT_PORT: '0',
        LOG_LEVEL: 'warn',
        NO_COLOR: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    launcher.stdout!.on('data', (chunk) => (output += chunk));
    launcher.stderr!.on('data', (chunk) => (output += chunk));
    exited = new Promise((done) => launcher.once('exit', (code) => done(code)));
    await waitFor(() => output.includes('Ctrl-C stops every service') || undefined, { timeoutMs: 180_000, intervalMs: 250, what: `the start-up text:\n${output.slice(-3000)}` });
    const accounts = await api<{ items: { id: string; sellerId: string }[] }>('GET', '/accounts');
    accountId = accounts.body.items.find((a) => a.sellerId === DEMO_SELLER_ID)!.id;
  }, 240_000);

  afterAll(async () => {
    if (launcher?.exitCode === null) launcher.kill('SIGTERM');
    await Promise.race([exited, new Promise((done) => setTimeout(done, 30_000))]);
    await env.tearDown();
  }, 60_000);

  it('prints the console\'s URL, where the gateway serves it (index.html for its pages, files from the build)', async () => {
    expect(output).toContain(`Console:    ${gatewayUrl}/ (open it in a browser; sign in with the API key below)`);
    const page = await fetch(`${gatewayUrl}/orders`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    const script = /<script type="module" crossorigin src="(\/assets\/[^"]+\.js)"><\/script>/.exec(html)?.[1];
    expect(script).toBeDefined();
    const bundle = await fetch(`${gatewayUrl}${script}`);
    expect([bundle.status, bundle.headers.get('content-type'), bundle.headers.get('cache-control')]).toEqual([200, 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable']);
  });

  it('says how to see order changes and stock in the start-up text', () => {
    expect(output).toContain('notifications on (sandbox queue order-changes)');
    expect(output).toContain(`${sandboxUrl}/_sandbox/listings?sellerId=${DEMO_SELLER_ID}`);
  });

  it('an order changed at the sandbox arrives within seconds, by notification, well before the minute-long poll', async () => {
    const account = await waitFor(
      async () => {
        const view = (await api('GET', `/accounts/${accountId}`)).body;
        return view.orderNotifications?.status === 'subscribed' ? view : undefined;
      },
      { timeoutMs: 60_000, what: 'the demo account subscribed to ORDER_CHANGE' },
    );
    expect(account).toMatchObject({ stockSync: true, syncIntervalSeconds: 60 });
    // An FBM order waiting to ship, already in the connector.
    const orders = (await sandbox<{ orders: { orderId: string; fulfilledBy: string; fulfillmentStatus: string }[] }>('GET', `/_sandbox/sellers/${DEMO_SELLER_ID}/orders`)).body.orders;
    const candidates = orders.filter((o) => o.fulfilledBy === 'MERCHANT' && o.fulfillmentStatus === 'UNSHIPPED');
    expect(candidates.length).toBeGreaterThan(0);
    const orderOf = async (amazonOrderId: string) => (await api('GET', `/orders?amazonOrderId=${amazonOrderId}`)).body.items[0];
    const { orderId } = await waitFor(async () => {
      for (const candidate of candidates) if (await orderOf(candidate.orderId)) return candidate;
      return undefined;
    }, { timeoutMs: 60_000, what: 'an unshipped FBM order synced' });
    const changedAt = Date.now();
    expect((await sandbox('POST', `/_sandbox/orders/${orderId}/status`, { status: 'CANCELLED', cancelledBy: 'BUYER', cancelReason: 'Buyer cancelled' })).status).toBe(200);
    const seen = await waitFor(async () => {
      const order = await orderOf(orderId);
      return order?.amazonStatus === 'CANCELLED' ? order : undefined;
    }, { timeoutMs: 30_000, intervalMs: 100, what: 'the cancellation through the gateway' });
    expect(seen.status).toBe('canceled');
    expect(Date.now() - changedAt).toBeLessThan(15_000);
    // It came by its notification: handled and recorded by the reader.
    expect(await env.query(`select 1 from ingestion.order_notifications`)).not.toHaveLength(0);
  });

  it('stock sync is on: the quantities of the demo FBM products reach the sandbox listings', async () => {
    const sent = await waitFor(
      async () => {
        const items = (await api<{ items: { sku: string; status: string; sentQuantity: number | null }[] }>('GET', `/accounts/${accountId}/stock-sync?status=accepted&limit=100`)).body.items;
        return items.find((s) => (s.sentQuantity ?? 0) > 0);
      },
      { timeoutMs: 60_000, what: 'a demo SKU accepted with a quantity' },
    );
    const listings = (await sandbox<{ listings: any[] }>('GET', `/_sandbox/listings?sellerId=${DEMO_SELLER_ID}&sku=${encodeURIComponent(sent.sku)}`)).body.listings;
    const told = listings.filter((l) => l.history.length > 0);
    expect(told.length).toBeGreaterThan(0);
    for (const listing of told) expect(listing.attributes.fulfillment_availability[0]).toMatchObject({ fulfillment_channel_code: 'DEFAULT', quantity: sent.sentQuantity });
  });
});
