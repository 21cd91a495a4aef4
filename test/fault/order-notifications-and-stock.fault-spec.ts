import { sandboxAccountBody } from '@connector/local-system';
import { amazonOrder, freePort, PostgresCluster, RunningSystem, TcpProxy, waitFor } from '@connector/testing';
import { evidence, expectHealed, FAULT_SETTINGS, RECOVERY_TIMEOUT_MS } from './support';

/**
 * The loops of issue 15 through their faults: order-ingestion's reader of ORDER_CHANGE
 * notifications (SQS) and the stock sent to Amazon (inventory's listing quantities,
 * amazon-notifications' sender). Amazon is reached through a TCP proxy: "Amazon away" closes its
 * port (every connection cut, new ones refused) while the sandbox itself keeps its state, so the
 * test can change orders and read listings at Amazon during the fault.
 */

/** How long a fault stays in place once it has been seen to bite (its length is the input, not an outcome waited for). */
const OUTAGE_MS = 5_000;
const faultFor = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/**
 * From PostgreSQL's start (pg_ctl -w back: it accepts connections) until the reader logs that it
 * reads again: it probes the database at most a second apart (its DATABASE_PROBE_BACKOFF), plus
 * the probe's own connect and the log line's way out, slower under load. This bounds the
 * mechanism, not the end-to-end healing: after it the ten notifications are fetched one after
 * another on the account's lock, 0.1-0.3 s each on a lightly loaded 2-core machine, up to a second
 * each at a load average of 18, and the invariants wait on other jittered back-offs (the event
 * consumers' and the outbox's), so that part keeps the suite's RECOVERY_TIMEOUT_MS. With the
 * probes backing off like failed reads of the queue (READ_BACKOFF) the reader could wait up to
 * 30 s in theory, 13 s measured.
 */
const READ_AGAIN_AFTER_DATABASE_MS = 3_000;
const DE = 'A1PA6795UKMFR9';

/** Amazon behind a proxy on a port known before the sandbox's: the services are told it at start. */
async function amazonAddress(): Promise<{ port: number; url: string }> {
  const port = await freePort();
  return { port, url: `http://127.0.0.1:${port}` };
}

/** Marks the processes' output where a fault begins (the output keeps its last lines only: an index would move). */
function markOutput(running: RunningSystem, fault: string): string {
  const marker = `--- fault: ${fault} ---`;
  running.output.push(marker);
  return marker;
}

/** Whether a line logged after the marker matches. */
const loggedSince = (running: RunningSystem, marker: string, pattern: RegExp) => running.output.slice(running.output.lastIndexOf(marker) + 1).some((line) => pattern.test(line));

/** When (the service's own clock, its log line's `time`) the first line after the marker that matches was logged. */
function loggedAtSince(running: RunningSystem, marker: string, pattern: RegExp): number | undefined {
  const line = running.output.slice(running.output.lastIndexOf(marker) + 1).find((l) => pattern.test(l));
  if (!line) return undefined;
  const time = /"time":"([^"]+)"/.exec(line)?.[1];
  if (!time) throw new Error(`a log line with no "time" to read (JSON logs expected): ${line.slice(0, 200)}`);
  return Date.parse(time);
}

describe('fault 8: order notifications (SQS) with Amazon away and PostgreSQL stopped', () => {
  const CASE = '8 order notifications';
  const QUEUE = 'order-changes';
  const DLQ = 'order-changes-dlq';
  const seller = { sellerId: 'A2FAULTNOTIFY1', clientId: 'fault-notify-client', clientSecret: 'fault-notify-secret', refreshToken: 'Atzr|fault-notify', marketplaceIds: [DE] };
  const orderIds = Array.from({ length: 20 }, (_, i) => `306-80${String(i).padStart(5, '0')}-0000001`);
  let cluster: PostgresCluster;
  let running: RunningSystem;
  let amazon: TcpProxy;

  const orderOf = async (amazonOrderId: string) => (await running.api('GET', `/api/v1/orders?amazonOrderId=${amazonOrderId}`)).body.items[0];
  const queue = async (name: string) => (await running.sandbox('GET', `/_sandbox/sqs/queues/${name}`)).body;
  const cancel = async (ids: string[]) => {
    for (const id of ids) expect((await running.sandbox('POST', `/_sandbox/orders/${id}/status`, { status: 'CANCELLED', cancelledBy: 'BUYER', cancelReason: 'Buyer cancelled' })).status).toBe(200);
  };
  /** Every changed order cancelled through the gateway, the queue empty and nothing in the dead-letter queue. */
  const changesSeen = (ids: string[], timeoutMs = RECOVERY_TIMEOUT_MS) =>
    waitFor(
      async () => {
        for (const id of ids) if ((await orderOf(id))?.amazonStatus !== 'CANCELLED') return undefined;
        const q = await queue(QUEUE);
        return q.visible === 0 && q.inFlight === 0 ? true : undefined;
      },
      { timeoutMs, intervalMs: 250, what: 'every changed order through the gateway, the queue drained' },
    );
  /** None twice: one sales order per Amazon order, one handled notification per change, none dead-lettered. */
  const expectOnce = async (ids: string[]) => {
    const rows = await running.env.query<{ amazon_order_id: string; n: number }>(`select amazon_order_id, count(*)::int as n from ingestion.sales_orders where amazon_order_id = any($1) group by 1`, [ids]);
    expect(rows.filter((r) => r.n !== 1)).toEqual([]);
    expect(rows).toHaveLength(ids.length);
    const handled = await running.env.query<{ amazon_order_id: string; n: number }>(`select amazon_order_id, count(*)::int as n from ingestion.order_notifications where amazon_order_id = any($1) group by 1`, [ids]);
    expect(handled.map((r) => r.amazon_order_id).sort()).toEqual([...ids].sort());
    expect(handled.filter((r) => r.n !== 1)).toEqual([]);
    expect((await queue(DLQ)).messages).toEqual([]);
  };

  beforeAll(async () => {
    cluster = await PostgresCluster.create();
    running = new RunningSystem({ postgresAdminUrl: cluster.url });
    const address = await amazonAddress();
    await running.start({ ...FAULT_SETTINGS, AMAZON_ALLOWED_ENDPOINTS: address.url }, (name) =>
      name === 'order-ingestion'
        ? {
            ORDER_NOTIFICATIONS_QUEUE_URL: `${address.url}/000000000000/${QUEUE}`,
            SQS_ENDPOINT: address.url,
            SQS_VISIBILITY_TIMEOUT_SECONDS: '1',
            ORDER_NOTIFICATIONS_SYNC_INTERVAL_SECONDS: '86400',
            // The reader says at info level that it reads again; the line's time is read from JSON (loggedAtSince).
            LOG_LEVEL: 'log',
            LOG_FORMAT: 'json',
          }
        : {},
    );
    amazon = await TcpProxy.start('127.0.0.1', Number(new URL(running.sandboxUrl).port), address.port);
    // A failing notification is received again every second: five receives reach the dead-letter queue within seconds.
    expect((await running.sandbox('POST', '/_sandbox/sqs/queues', { name: QUEUE, visibilityTimeoutSeconds: 1, deadLetterQueue: DLQ, maxReceiveCount: 5 })).status).toBe(201);
    expect((await running.sandbox('POST', '/_sandbox/sellers', seller)).status).toBe(201);
    const recently = Date.now() - 180_000;
    for (const [i, orderId] of orderIds.entries()) {
      const order = amazonOrder({
        orderId,
        marketplaceId: DE,
        createdTime: new Date(recently - 3_600_000).toISOString(),
        lastUpdatedTime: new Date(recently).toISOString(),
        fulfilledBy: 'MERCHANT',
        status: 'UNSHIPPED',
        items: [{ orderItemId: `8060000${String(i).padStart(7, '0')}`, sku: `NOTIFY-FAULT-${i}`, quantity: 1, unitPrice: '9.90', tax: '1.58' }],
      });
      expect((await running.sandbox('POST', `/_sandbox/sellers/${seller.sellerId}/orders`, order)).status).toBe(201);
    }
    // Polled once a day: whatever arrives during the faults comes through the notifications.
    const account = await running.api('POST', '/api/v1/accounts', sandboxAccountBody(seller, address.url, 'EU', { initialSyncFrom: new Date(Date.now() - 2 * 86_400_000).toISOString(), syncIntervalSeconds: 86400 }));
    expect(account.status).toBe(201);
    await waitFor(async () => {
      const [{ n }] = await running.env.query<{ n: number }>(`select count(*)::int as n from ingestion.sales_orders where amazon_order_id = any($1)`, [orderIds]);
      const subscribed = await running.env.query(`select 1 from ingestion.order_change_subscriptions where account_id = $1 and status = 'subscribed'`, [account.body.id]);
      return n === orderIds.length && subscribed.length ? true : undefined;
    }, { timeoutMs: 120_000, what: 'the first sync and the ORDER_CHANGE subscription' });
    // The reader reads the queue before the faults (its first reads failed while the proxy was not yet up):
    // a notification of another type is read and deleted.
    const probe = JSON.stringify({ NotificationVersion: '1.0', NotificationType: 'ANY_OFFER_CHANGED', Payload: {}, NotificationMetadata: { NotificationId: 'probe-1' } });
    expect((await running.sandbox('POST', `/_sandbox/sqs/queues/${QUEUE}/messages`, { body: probe })).status).toBe(201);
    await waitFor(async () => {
      const q = await queue(QUEUE);
      return q.visible === 0 && q.inFlight === 0 ? true : undefined;
    }, { timeoutMs: 60_000, what: 'the reader to read the queue' });
  }, 240_000);

  afterAll(async () => {
    await amazon?.up().catch(() => undefined);
    await running?.stop();
    await amazon?.close();
    await cluster?.destroy();
  }, 60_000);

  it('Amazon (SP-API and SQS) away while orders change: the reader logs, reads again, every change visible once', async () => {
    const changed = orderIds.slice(0, 10);
    const from = markOutput(running, 'Amazon away');
    await amazon.down();
    try {
      await cancel(changed);
      await waitFor(async () => (loggedSince(running, from, /order notifications queue could not be read/) ? true : undefined), { timeoutMs: 30_000, what: 'the reader to log that the queue cannot be read' }).catch((err: Error) => {
        throw new Error(`${err.message}\n${evidence(running, /OrderNotifications|order notification/i, 20)}`);
      });
      expect((await queue(QUEUE)).visible).toBeGreaterThan(0);
      await faultFor(OUTAGE_MS);
    } finally {
      await amazon.up();
    }
    const endedAt = Date.now();
    await changesSeen(changed);
    expect(loggedSince(running, from, /order notifications queue read again after \d+ failed read/)).toBe(true);
    await expectHealed(running, { case: CASE, fault: 'Amazon (SP-API and SQS) away 5 s, 10 orders changed', faultsInjected: 1 }, { sellerIds: [seller.sellerId] }, endedAt);
    await expectOnce(changed);
  });

  it('PostgreSQL stopped immediately while orders change, back after 5 s: nothing dead-lettered, every change visible once', async () => {
    const changed = orderIds.slice(10);
    const from = markOutput(running, 'PostgreSQL stopped');
    await cluster.crash();
    try {
      await cancel(changed);
      // The reader received them and could not store them (then it waits for the database instead of receiving them again).
      await waitFor(async () => (loggedSince(running, from, /order notification \S+ failed/) ? true : undefined), { timeoutMs: 30_000, what: 'the reader to fail to store a change' });
      await faultFor(OUTAGE_MS);
    } finally {
      await cluster.start();
    }
    const endedAt = Date.now();
    const readAgain = /order notifications read again: the database answers/;
    const readAgainAt = await waitFor(async () => loggedAtSince(running, from, readAgain), { timeoutMs: RECOVERY_TIMEOUT_MS, intervalMs: 100, what: 'the reader to log that it reads again' });
    await changesSeen(changed);
    expect((await queue(DLQ)).messages).toEqual([]);
    expect(loggedSince(running, from, /order notifications wait for the database/)).toBe(true);
    // The mechanism: read again within a probe interval (and the probe) of the database's start.
    // Negative when the probe got through before pg_ctl saw the server ready.
    const readAgainAfterMs = readAgainAt - endedAt;
    console.log(`${CASE}: the reader read again ${readAgainAfterMs} ms after PostgreSQL was back; changes through ${Date.now() - endedAt} ms after it`);
    expect(readAgainAfterMs).toBeLessThanOrEqual(READ_AGAIN_AFTER_DATABASE_MS);
    await expectHealed(running, { case: CASE, fault: 'PostgreSQL immediate stop, back after 5 s, 10 orders changed', faultsInjected: 1 }, { sellerIds: [seller.sellerId] }, endedAt);
    await expectOnce(changed);
  });
});

describe('fault 9: stock to Amazon with Amazon away, inventory and amazon-notifications killed mid-way', () => {
  const CASE = '9 stock to Amazon';
  const STOCK = '00000000-0000-4000-8000-000000000001';
  const BUFFER = 2;
  const seller = { sellerId: 'A2FAULTSTOCK01', clientId: 'fault-stock-client', clientSecret: 'fault-stock-secret', refreshToken: 'Atzr|fault-stock', marketplaceIds: [DE] };
  const skus = Array.from({ length: 5 }, (_, i) => `FAULT-STOCK-${i + 1}`);
  const products = new Map<string, string>();
  let running: RunningSystem;
  let amazon: TcpProxy;
  let accountId: string;

  const listingOf = async (sku: string) => (await running.sandbox('GET', `/_sandbox/listings?sellerId=${seller.sellerId}&sku=${sku}`)).body.listings[0];
  const quantityAt = (listing: any): number | undefined => listing?.attributes.fulfillment_availability?.[0]?.quantity;
  const stockSync = async () => (await running.api('GET', `/api/v1/accounts/${accountId}/stock-sync?limit=100`)).body.items as { sku: string; status: string; availableQuantity: number; sentQuantity: number | null }[];
  /** Counts every SKU's stock (an adjustment to the counted quantity); the API answers while Amazon is away. */
  const count = async (quantityOf: (i: number) => number) => {
    for (const [i, sku] of skus.entries()) {
      const answer = await running.api('POST', '/api/v1/stock/adjustments', { productId: products.get(sku), locationId: STOCK, quantity: quantityOf(i) });
      expect(answer.status).toBe(201);
    }
  };
  /** amazon-notifications holds every SKU's new available quantity (announced by inventory, taken by the intake). */
  const announced = (quantityOf: (i: number) => number) =>
    waitFor(async () => {
      const states = await stockSync();
      return skus.every((sku, i) => states.find((s) => s.sku === sku)?.availableQuantity === quantityOf(i)) ? true : undefined;
    }, { timeoutMs: RECOVERY_TIMEOUT_MS, what: 'the new quantities at amazon-notifications' });
  const atAmazon = (quantityOf: (i: number) => number) =>
    waitFor(async () => {
      for (const [i, sku] of skus.entries()) if (quantityAt(await listingOf(sku)) !== Math.max(0, quantityOf(i) - BUFFER)) return undefined;
      const states = await stockSync();
      return skus.every((sku, i) => states.find((s) => s.sku === sku)?.status === 'accepted' && states.find((s) => s.sku === sku)?.sentQuantity === Math.max(0, quantityOf(i) - BUFFER)) ? true : undefined;
    }, { timeoutMs: RECOVERY_TIMEOUT_MS, intervalMs: 250, what: 'every listing at its last available quantity less the buffer' });

  beforeAll(async () => {
    running = new RunningSystem();
    const address = await amazonAddress();
    await running.start({ ...FAULT_SETTINGS, AMAZON_ALLOWED_ENDPOINTS: address.url });
    amazon = await TcpProxy.start('127.0.0.1', Number(new URL(running.sandboxUrl).port), address.port);
    expect((await running.sandbox('POST', '/_sandbox/sellers', seller)).status).toBe(201);
    expect((await running.sandbox('PUT', '/_sandbox/listings', { sellerId: seller.sellerId, marketplaceIds: [DE], skus: skus.map((sku) => ({ sku, quantity: 50 })) })).status).toBeLessThan(300);
    const account = await running.api('POST', '/api/v1/accounts', sandboxAccountBody(seller, address.url, 'EU', { syncEnabled: false }));
    expect(account.status).toBe(201);
    accountId = account.body.id;
    expect((await running.api('PATCH', `/api/v1/accounts/${accountId}`, { stockSync: true, stockBuffer: BUFFER })).status).toBe(200);
    for (const sku of skus) {
      const product = await running.api('POST', '/api/v1/products', { name: sku, internalReference: sku });
      expect(product.status).toBe(201);
      products.set(sku, product.body.id);
      expect((await running.api('PUT', '/api/v1/offers', { accountId, sku, productId: product.body.id, fulfillmentChannel: 'FBM' })).status).toBeLessThan(300);
    }
    await count(() => 10);
    await atAmazon(() => 10);
  }, 240_000);

  afterAll(async () => {
    await amazon?.up().catch(() => undefined);
    await running?.stop();
    await amazon?.close();
  }, 60_000);

  it('Amazon away while stock changes three times, amazon-notifications and inventory killed (-9) between: every listing ends at the last quantity, none older after newer', async () => {
    // Rising counts: an older value sent after a newer one shows as a fall in the listing's history.
    const first = () => 20;
    const second = () => 30;
    const last = (i: number) => 40 + i;
    await amazon.down();
    try {
      await count(first);
      await announced(first);
      // Killed with every SKU due and Amazon refusing connections.
      await running.system.process('amazon-notifications').stop('SIGKILL');
      await running.system.process('amazon-notifications').start();
      await count(second);
      // inventory killed right after the counts, while their listing quantities are being announced.
      await running.system.process('inventory').stop('SIGKILL');
      await running.system.process('inventory').start();
      await count(last);
      await announced(last);
      await faultFor(OUTAGE_MS);
    } finally {
      await amazon.up();
    }
    const endedAt = Date.now();
    await atAmazon(last);
    await expectHealed(running, { case: CASE, fault: 'Amazon away, 3 counts of 5 SKUs, kill -9 amazon-notifications and inventory', faultsInjected: 3 }, { sellerIds: [seller.sellerId] }, endedAt);
    for (const [i, sku] of skus.entries()) {
      const history = ((await listingOf(sku)).history as { quantity: number }[]).map((h) => h.quantity);
      // Never an older value after a newer one; the last one sent is the last count less the buffer.
      expect(history).toEqual([...history].sort((a, b) => a - b));
      expect(history[history.length - 1]).toBe(last(i) - BUFFER);
      expect(history[0]).toBe(10 - BUFFER);
    }
  });
});
