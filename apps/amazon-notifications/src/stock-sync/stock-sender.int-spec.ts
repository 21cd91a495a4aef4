import { ListingQuantityChangedEvent } from '@connector/contracts';
import { claimDueRows } from '@connector/workers';
import { randomUUID } from 'node:crypto';
import { waitFor } from '@connector/testing';
import { NotificationsHarness } from '../../test/notifications-harness';
import { StockFeeds } from './stock-feeds';
import { StockSender } from './stock-sender';
import { StockUpdateIntake } from './stock-update-intake';

const DE = 'A1PA6795UKMFR9';

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
  const announce = (sender: StockSender, sku: string, availableQuantity: number, at = ++version, skippedReason: string | null = null) =>
    harness.dataSource.transaction((manager) =>
      intake(sender).onListingQuantityChanged({ accountId: harness.accountId, sku, productId, availableQuantity, version: at, changedAt: new Date().toISOString(), skippedReason } as ListingQuantityChangedEvent, {
        manager,
        eventId: randomUUID(),
        subject: 'stock.listing-quantity-changed.v1',
        afterCommit: { add: () => undefined } as never,
      }),
    );
  const row = async (sku: string) => ((await harness.dataSource.query(`select * from stock_updates where sku = $1`, [sku])) as Record<string, any>[])[0];
  const listing = async (sku: string) => (await harness.sandboxRequest('GET', `/_sandbox/listings?sellerId=${harness.seller.sellerId}&sku=${sku}`)).body.listings[0];

  it('keeps the newest value whatever order the events come in; an older one changes nothing', async () => {
    const sender = newSender();
    await announce(sender, 'INT-1', 5, 20);
    await announce(sender, 'INT-1', 9, 10);
    expect(await row('INT-1')).toMatchObject({ available_quantity: 5, version: '20', status: 'pending' });
  });

  it('a crash after a claim loses nothing: once the claim runs out another sender sends the last value, and a newer value waits for a send under way', async () => {
    await announce(newSender(), 'INT-2', 8);
    // A sender claims the row and dies before sending.
    await new Promise((r) => setTimeout(r, 1100));
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
    await new Promise((r) => setTimeout(r, 1100));
    await sender.sendDue();
    expect(await row('INT-3')).toMatchObject({ status: 'skipped', sent_quantity: null });
    expect((await listing('INT-3')).history).toEqual([]);
  });
});
