import { connect, NatsConnection } from 'nats';
import { waitFor } from '@connector/testing';
import { streamNameFor } from '@connector/messaging';
import { amazonOrder, NATS_URL, RunningSystem } from '@connector/testing';

const SELLER = { sellerId: 'A2RETAIN000001', clientId: 'ret-client', clientSecret: 'ret-secret', refreshToken: 'Atzr|ret', marketplaceIds: ['A1PA6795UKMFR9'] };
/** The buyer whose traces are looked for everywhere. */
const BUYER = 'Wilhelmina Quastenberg';
const STREET = 'Quastenweg 5';
const RETENTION_SECONDS = 20;

const order = amazonOrder({
  orderId: '305-0000001-0000001',
  lastUpdatedTime: new Date(Date.now() - 120_000).toISOString(),
  buyer: { buyerName: BUYER, buyerEmail: 'wq@marketplace.amazon.de' },
  address: { name: BUYER, addressLine1: STREET, city: 'Dresden', postalCode: '01067', countryCode: 'DE', phone: '0351 55' },
  items: [{ orderItemId: '55000000000001', sku: 'RET-MUG', quantity: 1, unitPrice: '12.00', tax: '1.92', giftWrap: '3.00', giftWrapTax: '0.48', giftMessage: `Alles Gute, ${BUYER}!`, buyerCancelReason: `Bestellt von ${BUYER} aus Versehen` }],
});

/**
 * Amazon's Data Protection Policy: buyers' personal data goes once it is no longer needed. With
 * a retention period of seconds, an order is synced, shipped and closed; once the period has
 * passed, the buyer's name is in no table of any service and in no event of the stream.
 */
describe('personal data retention covers every copy: partners, orders, deliveries, parked events and the event stream', () => {
  const running = new RunningSystem();
  let nats: NatsConnection;

  beforeAll(async () => {
    await running.start({ PERSONAL_DATA_RETENTION_DAYS: String(RETENTION_SECONDS / 86400), RETENTION_INTERVAL_SECONDS: '1', SANDBOX_TIME_SCALE: '60', SPAPI_RATE_SCALE: '60' });
    nats = await connect({ servers: NATS_URL });
    expect((await running.sandbox('POST', '/_sandbox/sellers', SELLER)).status).toBe(201);
    expect((await running.sandbox('POST', `/_sandbox/sellers/${SELLER.sellerId}/orders`, order)).status).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await nats?.close();
    await running.stop();
  }, 60_000);

  /** Every table of every service's schema whose rows mention the text. */
  const tablesHolding = async (text: string) => {
    const tables = await running.env.query<{ schema: string; name: string }>(
      `select table_schema as schema, table_name as name from information_schema.tables
        where table_schema in ('ingestion', 'partners', 'inventory', 'notifications', 'access') and table_type = 'BASE TABLE'`,
    );
    expect(tables.length).toBeGreaterThan(15);
    const holding: string[] = [];
    for (const { schema, name } of tables) {
      const [{ n }] = await running.env.query<{ n: number }>(`select count(*)::int as n from "${schema}"."${name}" t where row_to_json(t)::text ilike $1`, [`%${text}%`]);
      if (n > 0) holding.push(`${schema}.${name}`);
    }
    return holding;
  };
  /** Sequence numbers of the stream's events that mention the text. */
  const eventsHolding = async (text: string) => {
    const jsm = await nats.jetstreamManager();
    const stream = streamNameFor(running.env.namespace);
    const { state } = await jsm.streams.info(stream);
    const holding: number[] = [];
    for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
      const message = await jsm.streams.getMessage(stream, { seq }).catch(() => undefined);
      if (message && Buffer.from(message.data).toString('utf8').includes(text)) holding.push(seq);
    }
    return holding;
  };

  it('keeps the data while the order is open, then forgets it everywhere once the order closed longer ago than the period', async () => {
    const created = await running.createAccount(SELLER);
    expect(created.status).toBe(201);
    const synced = await waitFor(async () => (await running.api('GET', `/api/v1/orders?amazonOrderId=${order.orderId}`)).body.items?.[0], { timeoutMs: 60_000, what: 'the synced order' });
    const delivery = await waitFor(async () => (await running.api('GET', `/api/v1/deliveries?orderId=${synced.id}`)).body.items?.[0], { what: 'its delivery' });
    // Present where it is needed, and sealed where it is kept: the name is in the gift message
    // (order, line, delivery, event) but not readable in the partner tables.
    expect(delivery.giftMessage).toContain(BUYER);
    expect((await running.api('GET', `/api/v1/partners/${synced.contactId}`)).body.name).toBe(BUYER);
    expect(await tablesHolding(BUYER)).toEqual(expect.arrayContaining(['ingestion.sales_orders', 'inventory.deliveries']));
    expect(await tablesHolding(BUYER)).not.toEqual(expect.arrayContaining(['partners.contacts']));
    expect(await tablesHolding(STREET)).toEqual([]);
    expect((await eventsHolding(BUYER)).length).toBeGreaterThan(0);

    // The buyer's reason for asking to cancel is their words too: on the order and the delivery
    // while open. The seller ships after all (releases the hold).
    expect(delivery.buyerCancelReason).toContain(BUYER);
    expect((await running.api('POST', `/api/v1/deliveries/${delivery.id}/release`, {})).status).toBe(200);
    // Shipped: the confirmation reaches Amazon, and the next sync reads the order as shipped (closed).
    expect((await running.api('POST', `/api/v1/deliveries/${delivery.id}/validate`, { carrierCode: 'DHL', trackingNumber: 'RET-1', shipDate: new Date().toISOString() })).status).toBe(200);
    await waitFor(async () => (await running.sandbox('GET', `/_sandbox/orders/${order.orderId}`)).body.order.fulfillment.fulfillmentStatus === 'SHIPPED', { what: 'the shipment at Amazon' });
    // Amazon shows a change only after two minutes.
    expect((await running.sandbox('POST', '/_sandbox/clock', { advanceSeconds: 121 })).status).toBe(200);
    await waitFor(
      async () => {
        await running.api('POST', `/api/v1/accounts/${created.body.id}/sync`, {});
        return (await running.api('GET', `/api/v1/orders/${synced.id}`)).body.status === 'shipped';
      },
      { timeoutMs: 60_000, intervalMs: 3000, what: 'the order synced as shipped' },
    );

    const left = await waitFor(
      async () => {
        const tables = await tablesHolding(BUYER);
        const events = await eventsHolding(BUYER);
        if (tables.length || events.length) throw new Error(`still in ${[...tables, ...events.map((seq) => `event ${seq}`)].join(', ')}`);
        return { tables, events };
      },
      { timeoutMs: 120_000, intervalMs: 2000, what: `no trace of ${BUYER} in any table or event` },
    );
    expect(left).toEqual({ tables: [], events: [] });
    expect(await tablesHolding('Dresden')).toEqual([]);
    const partner = (await running.api('GET', `/api/v1/partners/${synced.contactId}`)).body;
    expect(partner).toMatchObject({ name: 'Anonymized customer', email: null, anonymizedAt: expect.any(String) });
    // The stream itself keeps nothing longer than the period.
    const jsm = await nats.jetstreamManager();
    expect((await jsm.streams.info(streamNameFor(running.env.namespace))).config.max_age).toBe(RETENTION_SECONDS * 1e9);
  }, 300_000);
});
