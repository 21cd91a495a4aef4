import { RunningSystem, waitFor } from '@connector/testing';
import { accountOf, clearAmazonFaults, expectHealed, FAULT_SETTINGS, sellerWithOrders, untilStored, validateDeliveries } from './support';

const CASE = '7 races';

describe('fault 7: sync against cancellations, and shipment confirmations with a crash between sending and recording', () => {
  const running = new RunningSystem();
  const orderIdOf = async (amazonOrderId: string) => (await running.api('GET', `/api/v1/orders?amazonOrderId=${amazonOrderId}`)).body.items[0]?.id as string;
  /** Asks for a sync now (202), as a seller's click or the scheduler would. */
  const syncNow = (accountId: string) => running.api('POST', `/api/v1/accounts/${accountId}/sync`, {});

  // Feeds move on a clock 60 times faster; Amazon's limits are off.
  beforeAll(() => running.start({ ...FAULT_SETTINGS, SANDBOX_TIME_SCALE: '60' }), 180_000);
  afterAll(() => running.stop(), 60_000);

  it('cancellations by the seller and by Amazon while syncs re-read the same orders: every cancellation sticks and is told once', async () => {
    const seller = await sellerWithOrders(running, 'A2FAULTRACE001', 300, { fulfilledBy: 'MERCHANT', statuses: ['UNSHIPPED'] });
    const accountId = await accountOf(running, seller);
    await untilStored(running, seller.sellerId, 300);
    await waitFor(async () => {
      const [{ n }] = await running.env.query<{ n: number }>(`select count(*)::int as n from inventory.deliveries where account_id = $1`, [accountId]);
      return n === 300 ? true : undefined;
    }, { timeoutMs: 60_000, what: 'the 300 deliveries' });

    const byHand = seller.orderIds.slice(0, 40);
    const byAmazon = seller.orderIds.slice(40, 80);
    const ids = new Map(await Promise.all([...byHand, ...byAmazon].map(async (id) => [id, await orderIdOf(id)] as const)));
    const raceStartedAt = Date.now();
    // Syncs re-read these orders (Amazon still says UNSHIPPED for the ones cancelled by hand)
    // while the cancellations land, in both orders.
    const [cancelled] = await Promise.all([
      Promise.all(byHand.map((id) => running.api('POST', `/api/v1/orders/${ids.get(id)}/cancel`, { reason: 'NoInventory' }))),
      Promise.all(byAmazon.map((id) => running.sandbox('POST', `/_sandbox/orders/${id}/status`, { status: 'CANCELLED', cancelledBy: 'BUYER' }))),
      (async () => {
        for (let i = 0; i < 5; i++) expect([202, 409]).toContain((await syncNow(accountId)).status);
      })(),
    ]);
    expect(cancelled.map((answer) => answer.status)).toEqual(byHand.map(() => 200));
    // Amazon shows its cancellations two minutes later; then the next syncs read them.
    expect((await running.sandbox('POST', '/_sandbox/clock', { advanceSeconds: 125 })).status).toBe(200);
    expect((await syncNow(accountId)).status).toBe(202);

    const stateOf = async () =>
      running.env.query<{ amazon_order_id: string; status: string; delivery: string }>(
        `select o.amazon_order_id, o.status, d.state as delivery from ingestion.sales_orders o left join inventory.deliveries d on d.order_id = o.id
          where o.amazon_order_id = any($1)`,
        [[...byHand, ...byAmazon]],
      );
    const settled = await waitFor(async () => {
      const rows = await stateOf();
      return rows.length === 80 && rows.every((r) => r.status === 'canceled' && r.delivery === 'canceled') ? rows : undefined;
    }, { timeoutMs: 90_000, what: 'all 80 orders and their deliveries cancelled' }).catch(async (err: Error) => {
      const rows = await stateOf();
      throw new Error(`${err.message}: not cancelled: ${rows.filter((r) => r.status !== 'canceled' || r.delivery !== 'canceled').map((r) => `${r.amazon_order_id} ${r.status}/${r.delivery}`).slice(0, 10).join(', ')}`);
    });
    expect(settled).toHaveLength(80);

    // Amazon is told of each cancellation by hand exactly once, and of none that Amazon made itself.
    const feedMessages = await waitFor(async () => {
      const feeds = (await running.sandbox('GET', `/_sandbox/feeds?sellerId=${seller.sellerId}`)).body.feeds as { messages: { amazonOrderId?: string }[] }[];
      const messages = feeds.flatMap((feed) => feed.messages.map((m) => m.amazonOrderId));
      return byHand.every((id) => messages.includes(id)) ? messages : undefined;
    }, { timeoutMs: 60_000, what: 'a cancellation feed message for every order cancelled by hand' });
    for (const id of byHand) expect(feedMessages.filter((m) => m === id)).toHaveLength(1);
    expect(feedMessages.filter((m) => byAmazon.includes(m!))).toEqual([]);
    await waitFor(async () => {
      const [{ n }] = await running.env.query<{ n: number }>(`select count(*)::int as n from notifications.notifications where account_id = $1 and kind = 'cancellation' and state <> 'sent'`, [accountId]);
      return n === 0 ? true : undefined;
    }, { timeoutMs: 60_000, what: 'every cancellation notification sent' });

    await expectHealed(running, { case: CASE, fault: 'sync vs 40 cancellations by hand and 40 by Amazon', faultsInjected: 80 }, { sellerIds: [seller.sellerId] }, raceStartedAt);
  });

  it('amazon-notifications killed (-9) while Amazon has its confirmations but before it records them: each package confirmed once', async () => {
    const seller = await sellerWithOrders(running, 'A2FAULTRACE002', 200, { fulfilledBy: 'MERCHANT', statuses: ['UNSHIPPED'] });
    const accountId = await accountOf(running, seller);
    await waitFor(async () => {
      const [{ n }] = await running.env.query<{ n: number }>(`select count(*)::int as n from inventory.deliveries where account_id = $1`, [accountId]);
      return n === 200 ? true : undefined;
    }, { timeoutMs: 60_000, what: 'the 200 deliveries' });
    // Amazon answers slowly: the process dies with calls in flight that Amazon has already taken.
    expect((await running.sandbox('POST', '/_sandbox/faults', { operation: 'confirmShipment', sellerId: seller.sellerId, latencyMs: 1500 })).status).toBe(201);
    const received = async () => ((await running.sandbox('GET', `/_sandbox/calls?sellerId=${seller.sellerId}`)).body.operations.confirmShipment?.received as number) ?? 0;
    const validated = await validateDeliveries(running, seller.sellerId, 30, 'RACE');
    expect(validated).toBe(30);
    await waitFor(async () => ((await received()) >= 5 ? true : undefined), { timeoutMs: 30_000, what: 'confirmations to reach Amazon' });
    await running.system.process('amazon-notifications').stop('SIGKILL');
    await clearAmazonFaults(running);
    await running.system.process('amazon-notifications').start();
    const restartedAt = Date.now();

    const report = await expectHealed(running, { case: CASE, fault: 'kill -9 amazon-notifications between sending and recording', faultsInjected: 1 }, { sellerIds: [seller.sellerId] }, restartedAt);
    expect(report.validatedPackages).toBe(30);
  });
});
