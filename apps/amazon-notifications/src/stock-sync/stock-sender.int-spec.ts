import { ListingQuantityChangedEvent } from '@connector/contracts';
import { claimDueRows } from '@connector/workers';
import { randomUUID } from 'node:crypto';
import { waitFor } from '@connector/testing';
import { NotificationsHarness } from '../../test/notifications-harness';
import { AccountAccess } from '@connector/contracts';
import { StockFeeds, UNSURE_DUE_SQL } from './stock-feeds';
import { StockUpdate } from './stock-update.entity';
import { PATCH_FALLBACK_MAX_CALLS, SETTLE_MS, SETTLED_DUE_SQL, StockSender } from './stock-sender';
import { stockSyncView } from './stock-sync.service';
import { StockUpdateIntake } from './stock-update-intake';

const DE = 'A1PA6795UKMFR9';
const FR = 'A13V1IB3VIYZZH';

/** Stock to Amazon's sending side, on real PostgreSQL against the sandbox: last value wins, nothing lost across a crash. */
describe('StockSender', () => {
  const harness = new NotificationsHarness({ timeScale: 20, settings: { NOTIFY_CLAIM_SECONDS: 1 }, access: { marketplaceIds: [DE], stockSync: true, stockBuffer: 1, handlingTimeDays: 3 } });
  const productId = randomUUID();
  let version = 0;

  beforeAll(async () => {
    await harness.start();
    await harness.sandboxRequest('PUT', '/_sandbox/listings', { sellerId: harness.seller.sellerId, marketplaceIds: [DE], skus: [{ sku: 'INT-1', quantity: 40 }, { sku: 'INT-2', quantity: 40 }, { sku: 'INT-3', quantity: 40 }] });
  }, 60_000);
  afterAll(() => harness.stop(), 60_000);

  const newSender = () => new StockSender(harness.dataSource, harness.amazon, new StockFeeds(harness.dataSource, harness.amazon, harness.settings), harness.settings);
  const intake = (sender: StockSender) => new StockUpdateIntake(sender);
  const announce = (sender: StockSender, sku: string, availableQuantity: number, at = ++version, skippedReason: string | null = null, marketplaceQuantities?: Record<string, number>) =>
    harness.dataSource.transaction((manager) =>
      intake(sender).onListingQuantityChanged(
        {
          accountId: harness.accountId,
          sku,
          productId,
          availableQuantity,
          ...(marketplaceQuantities ? { marketplaceQuantities: Object.entries(marketplaceQuantities).map(([marketplaceId, q]) => ({ marketplaceId, availableQuantity: q })) } : {}),
          version: at,
          changedAt: new Date().toISOString(),
          skippedReason,
        } as ListingQuantityChangedEvent,
        {
        manager,
        eventId: randomUUID(),
        subject: 'stock.listing-quantity-changed.v1',
        afterCommit: { add: () => undefined } as never,
        },
      ),
    );
  const row = async (sku: string) => ((await harness.dataSource.query(`select * from stock_updates where sku = $1`, [sku])) as Record<string, any>[])[0];
  const listing = async (sku: string, marketplaceId = DE) =>
    (await harness.sandboxRequest('GET', `/_sandbox/listings?sellerId=${harness.seller.sellerId}&sku=${sku}&marketplaceId=${marketplaceId}`)).body.listings[0];
  /**
   * Waits until every one of `skus` is `status` and would be claimed by the sender's pass were it
   * pending: the sender's own due rule (SETTLED_DUE_SQL, on the database's clock) on the rows taken
   * as pending. Pending ones are due from then on unless held. Not a fixed sleep: under load the
   * announcements alone can outlast the settle window.
   */
  const untilSettled = (skus: string[], status = 'pending') =>
    waitFor(
      async () => {
        const [{ settled }] = (await harness.dataSource.query(
          `select count(*)::int as settled from (select updated_at, next_attempt_at, 'pending'::text as status from stock_updates where sku = any($2::text[]) and status = $3) as stock_updates
            where ${SETTLED_DUE_SQL}`,
          [SETTLE_MS / 1000, skus, status],
        )) as { settled: number }[];
        return settled === skus.length || undefined;
      },
      { timeoutMs: 10_000, intervalMs: 100, what: `${skus.length === 1 ? skus[0] : `${skus.length} SKUs`} ${status} for ${SETTLE_MS} ms` },
    );

  it('keeps the newest value whatever order the events come in; an older one changes nothing', async () => {
    const sender = newSender();
    await announce(sender, 'INT-1', 5, 20, null, { [FR]: 2 });
    await announce(sender, 'INT-1', 9, 10, null, { [FR]: 7 });
    expect(await row('INT-1')).toMatchObject({ available_quantity: 5, marketplace_quantities: { [FR]: 2 }, version: '20', status: 'pending' });
  });

  it('a crash after a claim loses nothing: once the claim runs out another sender sends the last value, and a newer value waits for a send under way', async () => {
    await announce(newSender(), 'INT-2', 8);
    await untilSettled(['INT-2']);
    // A sender claims the row and dies before sending.
    const claimed = await claimDueRows(harness.dataSource, { table: 'stock_updates', where: `sku = 'INT-2'`, orderBy: 'next_attempt_at', limit: 10, leaseColumn: 'next_attempt_at', leaseSeconds: 1 });
    expect(claimed).toHaveLength(1);
    const leasedUntil = (await row('INT-2')).next_attempt_at as Date;
    // A newer value while the row is claimed does not make it due beside the claim: sent after it, never beside it.
    await announce(newSender(), 'INT-2', 6);
    expect(((await row('INT-2')).next_attempt_at as Date).getTime()).toBeGreaterThanOrEqual(leasedUntil.getTime());
    const restarted = newSender();
    await waitFor(
      async () => {
        await restarted.sendDue();
        const r = await row('INT-2');
        return r.status === 'accepted' ? r : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 200, what: 'INT-2 sent by the restarted sender' },
    );
    expect(await row('INT-2')).toMatchObject({ sent_quantity: 5, sent_version: String(version), sent_via: 'patchListingsItem', issues: [] });
    const told = await listing('INT-2');
    expect(told.attributes.fulfillment_availability).toEqual([{ fulfillment_channel_code: 'DEFAULT', quantity: 5, lead_time_to_ship_max_days: 3 }]);
    // Only the last value reached Amazon: the older 8 was overtaken before it was sent.
    expect(told.history.map((h: { quantity: number }) => h.quantity)).toEqual([5]);
  });

  it('a SKU inventory says is fulfilled by Amazon is skipped with the reason and never sent, even when it was pending', async () => {
    const sender = newSender();
    await announce(sender, 'INT-3', 7);
    await announce(sender, 'INT-3', 7, ++version, 'SKU is also fulfilled by Amazon');
    expect(await row('INT-3')).toMatchObject({ status: 'skipped', last_error: 'SKU is also fulfilled by Amazon', sent_quantity: null });
    // Old enough that, were it pending, the pass would claim it.
    await untilSettled(['INT-3'], 'skipped');
    await sender.sendDue();
    expect(await row('INT-3')).toMatchObject({ status: 'skipped', sent_quantity: null });
    expect((await listing('INT-3')).history).toEqual([]);
  });

  it('a newer value arriving while a feed is out keeps the feed hold through claim renewals: it is sent after the feed, never overtaken by it', async () => {
    const skus = Array.from({ length: 21 }, (_, i) => `FEED-${i}`);
    await harness.sandboxRequest('PUT', '/_sandbox/listings', { sellerId: harness.seller.sellerId, marketplaceIds: [DE], skus: skus.map((sku) => ({ sku, quantity: 40 })) });
    // Right after the feed is submitted (rows sent and held) a newer value of FEED-0 comes in, and the
    // pass lasts until the claim renewal (every 250 ms with a 1 s claim) has ticked on it. The renewal
    // leaves the held value as it is (greatest()), so its tick shows as a new version of the row (xmin).
    const rowVersion = async () => ((await harness.dataSource.query(`select xmin::text as xmin from stock_updates where sku = 'FEED-0'`)) as { xmin: string }[])[0].xmin;
    class FeedsWithNewerValue extends StockFeeds {
      override async submit(access: AccountAccess, marketplaceIds: string[], updates: Parameters<StockFeeds['submit']>[2]) {
        const submitted = await super.submit(access, marketplaceIds, updates);
        await announce(newSender(), 'FEED-0', 3);
        const announced = await rowVersion();
        await waitFor(async () => ((await rowVersion()) !== announced ? true : undefined), { timeoutMs: 10_000, intervalMs: 50, what: 'a claim renewal on FEED-0 after its newer value' });
        return submitted;
      }
    }
    const sender = new StockSender(harness.dataSource, harness.amazon, new FeedsWithNewerValue(harness.dataSource, harness.amazon, harness.settings), harness.settings);
    for (const sku of skus) await announce(sender, sku, 11);
    await untilSettled(skus);
    await sender.sendDue();
    const held = await row('FEED-0');
    expect(held).toMatchObject({ status: 'pending', available_quantity: 3, sent_via: 'JSON_LISTINGS_FEED', sent_quantity: 10 });
    expect((held.next_attempt_at as Date).getTime()).toBeGreaterThan(Date.now() + 3_600_000);
    const plain = newSender();
    await waitFor(
      async () => {
        await plain.sendDue();
        const r = await row('FEED-0');
        return r.status === 'accepted' && r.sent_quantity === 2 ? r : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 200, what: 'FEED-0 newer value sent after the feed' },
    );
    // The feed settled ends its hold: a SKU of it with no newer value is not held the rest of the day (its next value goes at once).
    const settled = await row('FEED-1');
    expect(settled.status).toBe('accepted');
    expect((settled.next_attempt_at as Date).getTime()).toBeLessThan(Date.now() + 60_000);
    const told = await listing('FEED-0');
    expect(told.history.map((h: { quantity: number }) => h.quantity)).toEqual([10, 2]);
    expect(told.attributes.fulfillment_availability[0].quantity).toBe(2);
  });

  /** The harness's access to Amazon with some of the account's settings changed (stock sync, marketplaces). */
  const accessWith = (change: () => Partial<AccountAccess>) => {
    const amazon = harness.amazon;
    const access = async (accountId: string) => ({ ...(await amazon.access(accountId)), ...change() });
    return {
      access,
      // As order-ingestion answers it: those of the accounts with stock sync on.
      stockSyncOn: async (accountIds: string[], turnedOn: (ids: string[]) => Promise<void>) => {
        const on = (await Promise.all(accountIds.map(async (id) => ((await access(id)).stockSync ? [id] : [])))).flat();
        if (on.length) await turnedOn(on);
      },
      client: (accountId: string) => amazon.client(accountId),
    } as unknown as typeof amazon;
  };

  it('with stock sync off a SKU is kept `off`, not claimed again every pass; once stock sync is on it is sent', async () => {
    await harness.sandboxRequest('PUT', '/_sandbox/listings', { sellerId: harness.seller.sellerId, marketplaceIds: [DE], skus: [{ sku: 'OFF-1', quantity: 40 }] });
    let stockSync = false;
    const amazon = accessWith(() => ({ stockSync }));
    const sender = () => new StockSender(harness.dataSource, amazon, new StockFeeds(harness.dataSource, amazon, harness.settings), harness.settings);
    const off = sender();
    await announce(off, 'OFF-1', 7);
    await waitFor(
      async () => {
        await off.sendDue();
        return (await row('OFF-1')).status === 'off' || undefined;
      },
      { timeoutMs: 10_000, intervalMs: 200, what: 'OFF-1 off' },
    );
    const before = await row('OFF-1');
    // Later passes leave it alone: not due, not claimed. Settled, it would be due were it pending (the
    // claim it went off under, NOTIFY_CLAIM_SECONDS 1, ran out no later).
    await untilSettled(['OFF-1'], 'off');
    await off.sendDue();
    expect(await row('OFF-1')).toMatchObject({ status: 'off', updated_at: before.updated_at, next_attempt_at: before.next_attempt_at });
    stockSync = true;
    const on = sender();
    await waitFor(
      async () => {
        await on.sendDue();
        return (await row('OFF-1')).status === 'accepted' || undefined;
      },
      { timeoutMs: 15_000, intervalMs: 200, what: 'OFF-1 sent once stock sync is on' },
    );
    expect((await listing('OFF-1')).attributes.fulfillment_availability[0].quantity).toBe(6);
  });

  it('a marketplace where Amazon says the SKU is not listed is remembered and left out; the SKU is accepted where it is listed', async () => {
    await harness.sandboxRequest('PUT', '/_sandbox/listings', { sellerId: harness.seller.sellerId, marketplaceIds: [DE], skus: [{ sku: 'DE-ONLY', quantity: 40 }] });
    const amazon = accessWith(() => ({ marketplaceIds: [DE, FR] }));
    const sender = new StockSender(harness.dataSource, amazon, new StockFeeds(harness.dataSource, amazon, harness.settings), harness.settings);
    const sendUntil = (quantity: number) =>
      waitFor(
        async () => {
          await sender.sendDue();
          const r = await row('DE-ONLY');
          return r.status === 'accepted' && r.sent_quantity === quantity ? r : undefined;
        },
        { timeoutMs: 15_000, intervalMs: 200, what: `DE-ONLY sent with ${quantity}` },
      );
    await announce(sender, 'DE-ONLY', 5);
    const first = await sendUntil(4);
    expect(Object.keys(first.unlisted_in)).toEqual([FR]);
    expect(first.issues).toEqual([expect.objectContaining({ marketplaceId: FR, severity: 'INFO' })]);
    const client = await harness.amazon.client(harness.accountId);
    const patchesBefore = client.stats.calls.patchListingsItem ?? 0;
    await announce(sender, 'DE-ONLY', 8);
    const second = await sendUntil(7);
    // Only DE was patched this time; FR stays remembered.
    expect((client.stats.calls.patchListingsItem ?? 0) - patchesBefore).toBe(1);
    expect(second.issues).toEqual([expect.objectContaining({ marketplaceId: FR, code: 'NotListed', severity: 'INFO' })]);
    expect((await listing('DE-ONLY')).history.map((h: { quantity: number }) => h.quantity)).toEqual([4, 7]);
  });

  it('a feed whose createFeed answer was lost is taken as possibly applied: its SKUs wait its processing window, then their current value goes again', async () => {
    const skus = Array.from({ length: 21 }, (_, i) => `LOST-${i}`);
    await harness.sandboxRequest('PUT', '/_sandbox/listings', { sellerId: harness.seller.sellerId, marketplaceIds: [DE], skus: skus.map((sku) => ({ sku, quantity: 40 })) });
    const sender = newSender();
    for (const sku of skus) await announce(sender, sku, 21);
    await untilSettled(skus);
    await harness.sandboxRequest('POST', '/_sandbox/faults', { operation: 'createFeed', sellerId: harness.seller.sellerId, status: 503, count: 1, loseAnswer: true });
    await sender.sendDue();
    const [feed] = (await harness.dataSource.query(`select f.status from stock_feeds f join stock_updates u on u.feed_batch_id = f.batch_id where u.sku = 'LOST-0'`)) as { status: string }[];
    expect(feed.status).toBe('unsure');
    // A newer value meanwhile is not sent before the lost feed's window: that feed could still overwrite it.
    await announce(sender, 'LOST-0', 16);
    await untilSettled(['LOST-0']);
    await sender.sendDue();
    const held = await row('LOST-0');
    expect(held).toMatchObject({ status: 'pending', available_quantity: 16 });
    expect((held.next_attempt_at as Date).getTime()).toBeGreaterThan(Date.now() + 30 * 60_000);
    // The lost feed is applied at Amazon after all.
    await waitFor(async () => ((await listing('LOST-0')).history.length === 1 ? true : undefined), { timeoutMs: 10_000, intervalMs: 100, what: 'the lost feed applied' });
    // Its window over, the current value goes.
    await harness.dataSource.query(`update stock_updates set next_attempt_at = now() where sku like 'LOST-%'`);
    await waitFor(
      async () => {
        await sender.sendDue();
        const r = await row('LOST-0');
        return r.status === 'accepted' && r.sent_quantity === 15 ? r : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 200, what: 'LOST-0 current value sent after the window' },
    );
    expect((await listing('LOST-0')).history.map((h: { quantity: number }) => h.quantity)).toEqual([20, 15]);
  });

  it('an unsure feed is looked for with getFeeds: held while a listings feed of its marketplace is processing at Amazon, its SKUs go at once when none is', async () => {
    const skus = Array.from({ length: 21 }, (_, i) => `LOOKUP-${i}`);
    await harness.sandboxRequest('PUT', '/_sandbox/listings', { sellerId: harness.seller.sellerId, marketplaceIds: [DE], skus: skus.map((sku) => ({ sku, quantity: 40 })) });
    const sender = newSender();
    for (const sku of skus) await announce(sender, sku, 30);
    await untilSettled(skus);
    const feedOf = async () =>
      ((await harness.dataSource.query(`select f.id, f.status, f.next_poll_at from stock_feeds f join stock_updates u on u.feed_batch_id = f.batch_id where u.sku = 'LOOKUP-0'`)) as Record<string, any>[])[0];
    let lostId = '';
    // Amazon's clock all but stopped: the lost feed stays in queue there.
    await harness.sandboxRequest('POST', '/_sandbox/clock', { timeScale: 0.0001, rateLimits: false });
    try {
      await harness.sandboxRequest('POST', '/_sandbox/faults', { operation: 'createFeed', sellerId: harness.seller.sellerId, status: 503, count: 1, loseAnswer: true });
      await sender.sendDue();
      const lost = await feedOf();
      expect(lost.status).toBe('unsure');
      lostId = lost.id;
      // Its first look is a minute away; made due now, it finds a listings feed in queue: the SKUs stay held.
      expect((lost.next_poll_at as Date).getTime()).toBeGreaterThan(Date.now() + 30_000);
      await harness.dataSource.query(`update stock_feeds set next_poll_at = now() where id = $1`, [lost.id]);
      await sender.sendDue();
      const looked = await feedOf();
      expect(looked.status).toBe('unsure');
      expect((looked.next_poll_at as Date).getTime()).toBeGreaterThan(Date.now() + 30_000);
      const held = await row('LOOKUP-0');
      expect(held.status).toBe('pending');
      expect((held.next_attempt_at as Date).getTime()).toBeGreaterThan(Date.now() + 30 * 60_000);
    } finally {
      await harness.sandboxRequest('POST', '/_sandbox/clock', { timeScale: 20, rateLimits: true });
    }
    // Amazon applies the lost feed; a newer value of one SKU comes in meanwhile.
    await waitFor(
      async () => {
        await harness.sandboxRequest('GET', `/_sandbox/feeds?sellerId=${harness.seller.sellerId}`);
        return (await listing('LOOKUP-0')).history.length === 1 || undefined;
      },
      { timeoutMs: 10_000, intervalMs: 100, what: 'the lost feed applied' },
    );
    await announce(sender, 'LOOKUP-0', 26);
    await harness.dataSource.query(`update stock_feeds set next_poll_at = now() where id = $1`, [lostId]);
    const startedAt = Date.now();
    await waitFor(
      async () => {
        await sender.sendDue();
        const r = await row('LOOKUP-0');
        return r.status === 'accepted' && r.sent_quantity === 25 ? r : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 200, what: 'LOOKUP-0 current value sent once no feed is processing' },
    );
    expect(Date.now() - startedAt).toBeLessThan(20_000);
    expect(await harness.dataSource.query(`select status from stock_feeds where id = $1`, [lostId])).toEqual([{ status: 'cleared' }]);
    expect((await listing('LOOKUP-0')).history.map((h: { quantity: number }) => h.quantity)).toEqual([29, 25]);
  });

  it('an unsure feed cleared while a sibling feed of its batch is still processing keeps the hold: a newer value is not patched under that feed', async () => {
    const skus = Array.from({ length: 21 }, (_, i) => `SIBLING-${i}`);
    await harness.sandboxRequest('PUT', '/_sandbox/listings', { sellerId: harness.seller.sellerId, marketplaceIds: [DE, FR], skus: skus.map((sku) => ({ sku, quantity: 40 })) });
    const amazon = accessWith(() => ({ marketplaceIds: [DE, FR] }));
    const sender = new StockSender(harness.dataSource, amazon, new StockFeeds(harness.dataSource, amazon, harness.settings), harness.settings);
    for (const sku of skus) await announce(sender, sku, 33);
    await untilSettled(skus);
    const feedsOf = async () =>
      (await harness.dataSource.query(`select f.id, f.marketplace_id, f.status from stock_feeds f join stock_updates u on u.feed_batch_id = f.batch_id where u.sku = 'SIBLING-0'`)) as Record<string, string>[];
    // Amazon's clock all but stopped: FR's feed stays in queue there.
    await harness.sandboxRequest('POST', '/_sandbox/clock', { timeScale: 0.0001, rateLimits: false });
    try {
      // DE's createFeed fails with a 503 (it may have made the feed; here it did not): `unsure`.
      await harness.sandboxRequest('POST', '/_sandbox/faults', { operation: 'createFeed', sellerId: harness.seller.sellerId, status: 503, count: 1 });
      await sender.sendDue();
      const feeds = await feedsOf();
      expect(feeds.map((f) => [f.marketplace_id, f.status])).toEqual(expect.arrayContaining([[DE, 'unsure'], [FR, 'submitted']]));
      await announce(sender, 'SIBLING-0', 28);
      // DE's look finds no listings feed of DE processing: cleared. FR's feed, with 32, is still to be applied.
      await harness.dataSource.query(`update stock_feeds set next_poll_at = now() where id = $1`, [feeds.find((f) => f.marketplace_id === DE)!.id]);
      await untilSettled(['SIBLING-0']);
      await sender.sendDue();
      await sender.sendDue();
      expect((await feedsOf()).map((f) => [f.marketplace_id, f.status])).toEqual(expect.arrayContaining([[DE, 'cleared'], [FR, 'submitted']]));
      const held = await row('SIBLING-0');
      expect(held).toMatchObject({ status: 'pending', available_quantity: 28 });
      expect((held.next_attempt_at as Date).getTime()).toBeGreaterThan(Date.now() + 30 * 60_000);
      expect((await listing('SIBLING-0', FR)).history).toEqual([]);
    } finally {
      await harness.sandboxRequest('POST', '/_sandbox/clock', { timeScale: 20, rateLimits: true });
      await harness.sandboxRequest('DELETE', '/_sandbox/faults');
    }
    // FR's feed applied and settled: the newer value goes, after it.
    await waitFor(
      async () => {
        await sender.sendDue();
        const r = await row('SIBLING-0');
        return r.status === 'accepted' && r.sent_quantity === 27 ? r : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 200, what: 'SIBLING-0 newer value sent after the FR feed' },
    );
    expect((await listing('SIBLING-0', FR)).history.map((h: { quantity: number }) => h.quantity)).toEqual([32, 27]);
  });

  it('looking for an unsure feed while getFeeds fails costs the pass one call, not retries', async () => {
    const skus = Array.from({ length: 21 }, (_, i) => `LOOKFAIL-${i}`);
    await harness.sandboxRequest('PUT', '/_sandbox/listings', { sellerId: harness.seller.sellerId, marketplaceIds: [DE], skus: skus.map((sku) => ({ sku, quantity: 40 })) });
    const sender = newSender();
    for (const sku of skus) await announce(sender, sku, 12);
    await untilSettled(skus);
    await harness.sandboxRequest('POST', '/_sandbox/faults', { operation: 'createFeed', sellerId: harness.seller.sellerId, status: 503, count: 1 });
    await sender.sendDue();
    const [feed] = (await harness.dataSource.query(`select f.id, f.status from stock_feeds f join stock_updates u on u.feed_batch_id = f.batch_id where u.sku = 'LOOKFAIL-0'`)) as Record<string, string>[];
    expect(feed.status).toBe('unsure');
    const client = await harness.amazon.client(harness.accountId);
    await harness.sandboxRequest('POST', '/_sandbox/faults', { operation: 'getFeeds', sellerId: harness.seller.sellerId, status: 503 });
    try {
      await waitFor(async () => ((await client.quotaWaitMs('getFeeds', 1)) === 0 ? true : undefined), { timeoutMs: 20_000, intervalMs: 200, what: 'a getFeeds token' });
      await harness.dataSource.query(`update stock_feeds set next_poll_at = now() where id = $1`, [feed.id]);
      const callsBefore = client.stats.calls.getFeeds ?? 0;
      const startedAt = Date.now();
      await sender.sendDue();
      expect(Date.now() - startedAt).toBeLessThan(5000);
      expect((client.stats.calls.getFeeds ?? 0) - callsBefore).toBe(1);
      const [after] = (await harness.dataSource.query(`select status, next_poll_at from stock_feeds where id = $1`, [feed.id])) as Record<string, any>[];
      expect(after.status).toBe('unsure');
      expect((after.next_poll_at as Date).getTime()).toBeGreaterThan(Date.now());
    } finally {
      await harness.sandboxRequest('DELETE', '/_sandbox/faults');
    }
    // Not left for the later tests' passes.
    await harness.dataSource.query(`update stock_feeds set status = 'cleared' where id = $1`, [feed.id]);
  });

  it('the unsure feeds due, asked for every pass, are found through their partial index, not a scan of every feed', async () => {
    const plan = await harness.dataSource.transaction(async (manager) => {
      // The table is small here: the planner is kept off a scan so the test shows the index serves the query.
      await manager.query('set local enable_seqscan = off');
      return (await manager.query(`explain ${UNSURE_DUE_SQL.replace('$1', '3600')}`)) as { 'QUERY PLAN': string }[];
    });
    expect(plan.map((p) => p['QUERY PLAN']).join('\n')).toContain('stock_feeds_unsure');
  });

  it('each marketplace is patched with the quantity of the warehouse it ships from, less the buffer, and the API shows them per marketplace', async () => {
    await harness.sandboxRequest('PUT', '/_sandbox/listings', { sellerId: harness.seller.sellerId, marketplaceIds: [DE, FR], skus: [{ sku: 'WH-PATCH', quantity: 40 }] });
    const amazon = accessWith(() => ({ marketplaceIds: [DE, FR] }));
    const sender = new StockSender(harness.dataSource, amazon, new StockFeeds(harness.dataSource, amazon, harness.settings), harness.settings);
    // DE ships from the default warehouse (9), FR from its own (3).
    await announce(sender, 'WH-PATCH', 9, ++version, null, { [FR]: 3 });
    await waitFor(
      async () => {
        await sender.sendDue();
        return (await row('WH-PATCH')).status === 'accepted' || undefined;
      },
      { timeoutMs: 15_000, intervalMs: 200, what: 'WH-PATCH sent' },
    );
    expect((await listing('WH-PATCH', DE)).history.map((h: { quantity: number }) => h.quantity)).toEqual([8]);
    expect((await listing('WH-PATCH', FR)).history.map((h: { quantity: number }) => h.quantity)).toEqual([2]);
    const [entity] = await harness.dataSource.getRepository(StockUpdate).findBy({ sku: 'WH-PATCH' });
    expect(stockSyncView(entity)).toMatchObject({ availableQuantity: 9, sentQuantity: 8, marketplaces: [{ marketplaceId: FR, availableQuantity: 3, sentQuantity: 2 }] });
    // FR's warehouse sells out while the default's stays: FR gets 0, DE 8 again (its value is the newest).
    await announce(sender, 'WH-PATCH', 9, ++version, null, { [FR]: 0 });
    await waitFor(
      async () => {
        await sender.sendDue();
        const r = await row('WH-PATCH');
        return (r.status === 'accepted' && r.sent_marketplace_quantities[FR] === 0) || undefined;
      },
      { timeoutMs: 15_000, intervalMs: 200, what: 'WH-PATCH FR sold out sent' },
    );
    expect((await listing('WH-PATCH', FR)).attributes.fulfillment_availability[0].quantity).toBe(0);
    expect((await listing('WH-PATCH', DE)).attributes.fulfillment_availability[0].quantity).toBe(8);
  });

  it('a feed per marketplace carries the quantity of the warehouse that marketplace ships from', async () => {
    const skus = Array.from({ length: 21 }, (_, i) => `WH-FEED-${i}`);
    await harness.sandboxRequest('PUT', '/_sandbox/listings', { sellerId: harness.seller.sellerId, marketplaceIds: [DE, FR], skus: skus.map((sku) => ({ sku, quantity: 40 })) });
    const amazon = accessWith(() => ({ marketplaceIds: [DE, FR] }));
    const sender = new StockSender(harness.dataSource, amazon, new StockFeeds(harness.dataSource, amazon, harness.settings), harness.settings);
    for (const [i, sku] of skus.entries()) await announce(sender, sku, 10 + i, ++version, null, { [FR]: i });
    // Only SKUs due in the same pass go by feed. Under load the 21 announcements can take longer than
    // the settle window, and a pass started before the last settled would patch the first ones alone.
    await untilSettled(skus);
    await waitFor(
      async () => {
        await sender.sendDue();
        const rows = (await harness.dataSource.query(`select status from stock_updates where sku like 'WH-FEED-%'`)) as { status: string }[];
        return (rows.length === 21 && rows.every((r) => r.status === 'accepted')) || undefined;
      },
      { timeoutMs: 20_000, intervalMs: 200, what: 'the WH-FEED feeds done' },
    );
    expect(await row('WH-FEED-5')).toMatchObject({ sent_via: 'JSON_LISTINGS_FEED', sent_quantity: 14, sent_marketplace_quantities: { [FR]: 4 } });
    for (const i of [0, 5, 20]) {
      expect((await listing(`WH-FEED-${i}`, DE)).history.map((h: { quantity: number; via: string }) => [h.quantity, h.via])).toEqual([[9 + i, 'JSON_LISTINGS_FEED']]);
      expect((await listing(`WH-FEED-${i}`, FR)).history.map((h: { quantity: number }) => h.quantity)).toEqual([Math.max(0, i - 1)]);
    }
  });

  describe("createFeed's quota spent (0.0083/s, burst 15): the pass never waits for it", () => {
    // Last in the file: the 429 case leaves the account's createFeed bucket empty.
    /** Feeds whose createFeed quota is spent for another 90 s, as far as the sender can tell. */
    class FeedsWithQuotaSpent extends StockFeeds {
      override async createFeedWaitMs(): Promise<number> {
        return 90_000;
      }
    }
    const listAt40 = (skus: string[]) => harness.sandboxRequest('PUT', '/_sandbox/listings', { sellerId: harness.seller.sellerId, marketplaceIds: [DE], skus: skus.map((sku) => ({ sku, quantity: 40 })) });
    const timed = async (work: () => Promise<void>) => {
      const startedAt = Date.now();
      await work();
      return Date.now() - startedAt;
    };

    it('a feed of the batch whose answer was lost, a sibling refused for quota: no patch fall-back, the SKUs wait under the unsure hold', async () => {
      const skus = Array.from({ length: 21 }, (_, i) => `MAYEXIST-${i}`);
      await harness.sandboxRequest('PUT', '/_sandbox/listings', { sellerId: harness.seller.sellerId, marketplaceIds: [DE, FR], skus: skus.map((sku) => ({ sku, quantity: 40 })) });
      const client = await harness.amazon.client(harness.accountId);
      // DE's createFeed goes out and its answer is lost; by FR's, Amazon's quota is spent (another app of the seller took it).
      let createFeeds = 0;
      const throttledAfterFirst = new Proxy(client, {
        get(target, prop) {
          if (prop !== 'request') {
            const value = Reflect.get(target, prop, target);
            return typeof value === 'function' ? value.bind(target) : value;
          }
          return async (operation: string, ...rest: unknown[]) => {
            if (operation === 'createFeed' && ++createFeeds === 2)
              await harness.sandboxRequest('POST', '/_sandbox/faults', { operation: 'createFeed', sellerId: harness.seller.sellerId, throttleStorm: { count: 1 } });
            return (target.request as (...args: unknown[]) => Promise<unknown>)(operation, ...rest);
          };
        },
      });
      const amazon = { access: async (accountId: string) => ({ ...(await harness.amazon.access(accountId)), marketplaceIds: [DE, FR] }), client: async () => throttledAfterFirst } as unknown as typeof harness.amazon;
      const sender = new StockSender(harness.dataSource, amazon, new StockFeeds(harness.dataSource, amazon, harness.settings), harness.settings);
      for (const sku of skus) await announce(sender, sku, 19);
      await waitFor(async () => ((await client.quotaWaitMs('createFeed', 2)) === 0 ? true : undefined), { timeoutMs: 20_000, intervalMs: 200, what: 'two createFeed tokens' });
      await untilSettled(skus);
      const patchesBefore = client.stats.calls.patchListingsItem ?? 0;
      await harness.sandboxRequest('POST', '/_sandbox/faults', { operation: 'createFeed', sellerId: harness.seller.sellerId, status: 503, count: 1, loseAnswer: true });
      try {
        await sender.sendDue();
      } finally {
        await harness.sandboxRequest('DELETE', '/_sandbox/faults');
      }
      const feedsOf = async () =>
        (await harness.dataSource.query(`select f.marketplace_id, f.status from stock_feeds f join stock_updates u on u.feed_batch_id = f.batch_id where u.sku = 'MAYEXIST-0' order by f.marketplace_id`)) as Record<string, string>[];
      const feeds = await feedsOf();
      // FR's feed waits for a token (it alone is made then, not DE's again).
      expect(feeds).toEqual(expect.arrayContaining([{ marketplace_id: DE, status: 'unsure' }, { marketplace_id: FR, status: 'deferred' }]));
      // Nothing patched: the lost DE feed may still apply 18, and would overwrite anything sent now.
      expect((client.stats.calls.patchListingsItem ?? 0) - patchesBefore).toBe(0);
      const rows = (await harness.dataSource.query(`select status, sent_via, attempts, next_attempt_at from stock_updates where sku like 'MAYEXIST-%'`)) as Record<string, any>[];
      expect(rows).toHaveLength(21);
      for (const r of rows) {
        // The wait for createFeed's quota is not counted as an attempt.
        expect(r).toMatchObject({ status: 'sent', sent_via: 'JSON_LISTINGS_FEED', attempts: 0 });
        expect((r.next_attempt_at as Date).getTime()).toBeGreaterThan(Date.now() + 30 * 60_000);
      }
      expect((await listing('MAYEXIST-0', FR)).history).toEqual([]);
      // A feed deferred for a whole day (no token, or its account unreachable) is given up: the batch settles, its SKUs go again (not before DE's unsure window).
      await harness.dataSource.query(`update stock_feeds set created_at = now() - interval '25 hours' where status = 'deferred' and marketplace_id = $1`, [FR]);
      await sender.sendDue();
      expect((await feedsOf()).map((f) => [f.marketplace_id, f.status])).toEqual(expect.arrayContaining([[DE, 'unsure'], [FR, 'failed']]));
      const settled = (await harness.dataSource.query(`select status, next_attempt_at from stock_updates where sku like 'MAYEXIST-%'`)) as Record<string, any>[];
      for (const r of settled) {
        expect(r.status).toBe('pending');
        expect((r.next_attempt_at as Date).getTime()).toBeGreaterThan(Date.now() + 30 * 60_000);
      }
    });

    it('a bulk change of few SKUs goes by patchListingsItem at once', async () => {
      const skus = Array.from({ length: 21 }, (_, i) => `FALLBACK-${i}`);
      await listAt40(skus);
      const sender = new StockSender(harness.dataSource, harness.amazon, new FeedsWithQuotaSpent(harness.dataSource, harness.amazon, harness.settings), harness.settings);
      for (const sku of skus) await announce(sender, sku, 13);
      await untilSettled(skus);
      await sender.sendDue();
      const rows = (await harness.dataSource.query(`select status, sent_via, sent_quantity from stock_updates where sku like 'FALLBACK-%'`)) as Record<string, unknown>[];
      expect(rows).toHaveLength(21);
      expect(rows.every((r) => r.status === 'accepted' && r.sent_via === 'patchListingsItem' && r.sent_quantity === 12)).toBe(true);
      expect((await listing('FALLBACK-20')).attributes.fulfillment_availability[0].quantity).toBe(12);
    });

    it('more SKUs than patches can take soon wait, pending, until a createFeed token is back; nothing is sent meanwhile', async () => {
      const skus = Array.from({ length: PATCH_FALLBACK_MAX_CALLS + 1 }, (_, i) => `WAITFEED-${i}`);
      await listAt40(skus);
      const sender = new StockSender(harness.dataSource, harness.amazon, new FeedsWithQuotaSpent(harness.dataSource, harness.amazon, harness.settings), harness.settings);
      for (const sku of skus) await announce(sender, sku, 9);
      await untilSettled(skus);
      const tookMs = await timed(() => sender.sendDue());
      expect(tookMs).toBeLessThan(5000);
      const rows = (await harness.dataSource.query(`select status, sent_quantity, attempts, last_error, next_attempt_at from stock_updates where sku like 'WAITFEED-%'`)) as Record<string, any>[];
      expect(rows).toHaveLength(skus.length);
      for (const r of rows) {
        expect(r).toMatchObject({ status: 'pending', sent_quantity: null, attempts: 0, last_error: expect.stringContaining('createFeed quota') });
        expect((r.next_attempt_at as Date).getTime()).toBeGreaterThan(Date.now() + 80_000);
      }
      expect((await harness.dataSource.query(`select 1 from stock_feeds f join stock_updates u on u.feed_batch_id = f.batch_id where u.sku like 'WAITFEED-%'`)).length).toBe(0);
      expect((await listing('WAITFEED-0')).history).toEqual([]);
    });

    it('Amazon answering createFeed with 429 (its quota spent, ours not): no feed is waited for, the SKUs go by patchListingsItem in the same pass', async () => {
      const skus = Array.from({ length: 21 }, (_, i) => `THROTTLED-${i}`);
      await listAt40(skus);
      const sender = newSender();
      for (const sku of skus) await announce(sender, sku, 17);
      // Our bucket has a token (an earlier 429 drained it): only Amazon's quota is spent.
      const client = await harness.amazon.client(harness.accountId);
      await waitFor(async () => ((await client.quotaWaitMs('createFeed', 1)) === 0 ? true : undefined), { timeoutMs: 20_000, intervalMs: 200, what: 'a createFeed token' });
      await untilSettled(skus);
      await harness.sandboxRequest('POST', '/_sandbox/faults', { operation: 'createFeed', sellerId: harness.seller.sellerId, throttleStorm: { count: 50 } });
      try {
        // Waiting for the quota after a 429 would take 8 retries of ~6 s (two minutes a token, time × 20).
        const tookMs = await timed(() => sender.sendDue());
        expect(tookMs).toBeLessThan(5000);
        const [feed] = (await harness.dataSource.query(`select f.status, f.last_error from stock_feeds f join stock_updates u on u.feed_batch_id = f.batch_id where u.sku = 'THROTTLED-0'`)) as Record<string, string>[];
        expect(feed).toMatchObject({ status: 'failed', last_error: expect.stringContaining('createFeed: quota spent') });
        const rows = (await harness.dataSource.query(`select status, sent_via, sent_quantity from stock_updates where sku like 'THROTTLED-%'`)) as Record<string, unknown>[];
        expect(rows).toHaveLength(21);
        expect(rows.every((r) => r.status === 'accepted' && r.sent_via === 'patchListingsItem' && r.sent_quantity === 16)).toBe(true);
        expect((await listing('THROTTLED-0')).history.map((h: { quantity: number }) => h.quantity)).toEqual([16]);
      } finally {
        await harness.sandboxRequest('DELETE', '/_sandbox/faults');
      }
    });

    it('more marketplaces than createFeed tokens: the ones without a token are made as tokens come back, the others never again; the SKUs settle once all are in', async () => {
      const skus = Array.from({ length: 21 }, (_, i) => `CHUNKED-${i}`);
      await harness.sandboxRequest('PUT', '/_sandbox/listings', { sellerId: harness.seller.sellerId, marketplaceIds: [DE, FR], skus: skus.map((sku) => ({ sku, quantity: 40 })) });
      const amazon = accessWith(() => ({ marketplaceIds: [DE, FR] }));
      // The pre-check saw tokens for both, then a cancellation feed took one (or the account has more marketplaces than the burst).
      class FeedsAfterPreCheck extends StockFeeds {
        override async createFeedWaitMs(): Promise<number> {
          return 0;
        }
      }
      const sender = new StockSender(harness.dataSource, amazon, new FeedsAfterPreCheck(harness.dataSource, amazon, harness.settings), harness.settings);
      for (const sku of skus) await announce(sender, sku, 23);
      await untilSettled(skus);
      const client = await harness.amazon.client(harness.accountId);
      // Exactly one token (the 429 before drained the bucket): DE's feed is made, FR's waits.
      await waitFor(async () => ((await client.quotaWaitMs('createFeed', 1)) === 0 ? true : undefined), { timeoutMs: 20_000, intervalMs: 100, what: 'a createFeed token' });
      const createFeedsBefore = client.stats.calls.createFeed ?? 0;
      await sender.sendDue();
      const feedsOf = async () =>
        (await harness.dataSource.query(`select f.marketplace_id, f.status from stock_feeds f join stock_updates u on u.feed_batch_id = f.batch_id where u.sku = 'CHUNKED-0' order by f.created_at`)) as Record<string, string>[];
      expect(await feedsOf()).toEqual(expect.arrayContaining([{ marketplace_id: DE, status: 'submitted' }, { marketplace_id: FR, status: 'deferred' }]));
      await waitFor(
        async () => {
          await sender.sendDue();
          const rows = (await harness.dataSource.query(`select status from stock_updates where sku like 'CHUNKED-%'`)) as { status: string }[];
          return (rows.length === 21 && rows.every((r) => r.status === 'accepted')) || undefined;
        },
        { timeoutMs: 30_000, intervalMs: 200, what: 'the CHUNKED feeds of both marketplaces done' },
      );
      // One feed per marketplace, none made twice; nothing patched.
      expect((client.stats.calls.createFeed ?? 0) - createFeedsBefore).toBe(2);
      expect(await feedsOf()).toEqual(expect.arrayContaining([{ marketplace_id: DE, status: 'done' }, { marketplace_id: FR, status: 'done' }]));
      for (const marketplaceId of [DE, FR])
        expect((await listing('CHUNKED-7', marketplaceId)).history.map((h: { quantity: number; via: string }) => [h.quantity, h.via])).toEqual([[22, 'JSON_LISTINGS_FEED']]);
    });
  });
});
