import { DataSource, Repository } from 'typeorm';
import { OrderNotificationsStatus } from '@connector/contracts';
import { accountSecretContext, SecretBox, TransitSecrets } from '@connector/platform';
import { AmazonEndpoints, SpApiClients } from '@connector/sp-api';
import { SandboxProcess } from '@connector/testing';
import { IngestionDatabase, insertSellerAccount } from '../../test/ingestion-database';
import { AccountsService } from '../accounts/accounts.service';
import { SellerAccount } from '../accounts/seller-account.entity';
import { MarketplacesService } from '../marketplaces/marketplaces.service';
import { OrderIngestionSettings } from '../order-ingestion.settings';
import { OrderChangeSubscriptions } from './order-change-subscriptions';

/**
 * The end of an account's ORDER_CHANGE subscription, against the sandbox's Notifications API over
 * HTTP and real PostgreSQL: an account deleted, or with its sync turned off, has its subscription
 * deleted at Amazon (grantless deleteSubscriptionById, with the deleted account's sealed app
 * credentials), the destination other accounts use stays; with Amazon away the row stays
 * `unsubscribing` and a later pass (another process) deletes it; sync on again subscribes again,
 * also while the delete is still pending.
 */
describe('ORDER_CHANGE subscriptions of accounts deleted or with sync off (sandbox over HTTP, real PostgreSQL)', () => {
  const database = new IngestionDatabase();
  let db: DataSource;
  let sandbox: SandboxProcess;
  let accounts: AccountsService;
  let clients: SpApiClients;
  let endpoints: AmazonEndpoints;
  const secrets = new SecretBox(`base64:${Buffer.alloc(32, 9).toString('base64')}`);
  const CLIENT_SECRET = 'lifecycle-app-secret';
  const settings = {
    ORDER_NOTIFICATIONS_QUEUE_URL: 'http://127.0.0.1:1/000000000000/order-changes',
    notificationsQueueArn: 'arn:aws:sqs:eu-west-1:000000000000:order-changes',
    SYNC_TICK_SECONDS: 1,
    notificationsEnabled: true,
  } as unknown as OrderIngestionSettings;

  const sandboxCall = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sandbox.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, any> };
  };
  /** The sandbox's ORDER_CHANGE subscriptions of these sellers (Amazon's side). */
  const atAmazon = async (...sellerIds: string[]) => ((await sandboxCall('GET', '/_sandbox/notifications/subscriptions')).body.subscriptions as { sellerId: string; subscriptionId: string }[]).filter((s) => sellerIds.includes(s.sellerId));
  const row = async (accountId: string) => (await db.query(`select status, subscription_id, last_error, unsubscribe_attempts from ingestion.order_change_subscriptions where account_id = $1`, [accountId]))[0];
  /** A fresh worker, as another process (or this one restarted) would be. */
  const worker = () => new OrderChangeSubscriptions(db, accounts, clients, endpoints, settings);

  /** An account of the app at the sandbox, its secrets sealed as AccountsService seals them. */
  const account = async (sellerId: string, { atAmazonAlready = false } = {}) => {
    const refreshToken = `Atzr|lifecycle-${sellerId}`;
    if (!atAmazonAlready) expect((await sandboxCall('POST', '/_sandbox/sellers', { sellerId, clientId: 'client', clientSecret: CLIENT_SECRET, refreshToken, marketplaceIds: ['A1PA6795UKMFR9'] })).status).toBe(201);
    const id = crypto.randomUUID();
    await insertSellerAccount(db, {
      id,
      name: sellerId,
      sellerId,
      apiEndpoint: sandbox.url,
      lwaEndpoint: `${sandbox.url}/auth/o2/token`,
      encryptedClientSecret: secrets.encrypt(CLIENT_SECRET, accountSecretContext(id, 'clientSecret')),
      encryptedRefreshToken: secrets.encrypt(refreshToken, accountSecretContext(id, 'refreshToken')),
    });
    return id;
  };

  beforeAll(async () => {
    [db, sandbox] = await Promise.all([database.setUp(), SandboxProcess.start({ rateLimits: false })]);
    endpoints = new AmazonEndpoints([sandbox.url]);
    // One try per call: Amazon away is this test's fault, not the client's retries to sit out.
    clients = new SpApiClients({ endpoints, maxRetries: 0 });
    accounts = new AccountsService(db.getRepository(SellerAccount) as Repository<SellerAccount>, new MarketplacesService(db.getRepository('Marketplace')), secrets, new TransitSecrets(`base64:${Buffer.alloc(32, 8).toString('base64')}`), endpoints, settings);
  }, 120_000);

  afterEach(async () => {
    await sandboxCall('DELETE', '/_sandbox/faults');
  });

  afterAll(async () => {
    await sandbox?.stop();
    await database.tearDown();
  });

  it('deletes the subscription of a deleted account and of one whose sync is turned off, keeps the shared destination, and subscribes again when sync is on again', async () => {
    const deleted = await account('A2LIFE000001');
    const paused = await account('A2LIFE000002');
    const subscriptions = worker();
    await subscriptions.subscribeDue();
    expect(await atAmazon('A2LIFE000001', 'A2LIFE000002')).toHaveLength(2);
    const [{ n: destinations }] = await db.query(`select count(*)::int as n from ingestion.notification_destinations`);
    expect(destinations).toBe(1);

    await accounts.remove(deleted);
    await subscriptions.subscribeDue();
    await subscriptions.unsubscribeDue();
    expect((await atAmazon('A2LIFE000001', 'A2LIFE000002')).map((s) => s.sellerId)).toEqual(['A2LIFE000002']);
    expect(await row(deleted)).toBeUndefined();
    // The destination the other account's subscription goes to stays.
    expect(await db.query(`select 1 from ingestion.notification_destinations`)).toHaveLength(1);

    const before = (await atAmazon('A2LIFE000002'))[0].subscriptionId;
    await accounts.update(paused, { syncEnabled: false });
    await subscriptions.unsubscribeDue();
    expect(await atAmazon('A2LIFE000002')).toEqual([]);
    expect((await accounts.view(paused)).orderNotifications?.status).toBe(OrderNotificationsStatus.Pending);

    await accounts.update(paused, { syncEnabled: true });
    await subscriptions.subscribeDue();
    const again = await atAmazon('A2LIFE000002');
    expect(again).toHaveLength(1);
    expect(again[0].subscriptionId).not.toBe(before);
    expect(await row(paused)).toMatchObject({ status: 'subscribed', subscription_id: again[0].subscriptionId });
  }, 60_000);

  it('Amazon away when the account is deleted: the row stays, unsubscribing with the reason, and a later pass of another process deletes it', async () => {
    const deleted = await account('A2LIFE000003');
    await worker().subscribeDue();
    expect(await atAmazon('A2LIFE000003')).toHaveLength(1);
    expect((await sandboxCall('POST', '/_sandbox/faults', { operation: 'deleteSubscriptionById', status: 503 })).status).toBe(201);

    await accounts.remove(deleted);
    await worker().unsubscribeDue();
    expect(await row(deleted)).toMatchObject({ status: 'unsubscribing', unsubscribe_attempts: 1, last_error: expect.stringContaining('503') });
    expect(await atAmazon('A2LIFE000003')).toHaveLength(1);
    // Not due again before its back-off.
    await worker().unsubscribeDue();
    expect(await row(deleted)).toMatchObject({ unsubscribe_attempts: 1 });

    await sandboxCall('DELETE', '/_sandbox/faults');
    // The back-off has passed (at least 30 s): brought forward rather than waited for.
    await db.query(`update ingestion.order_change_subscriptions set due_at = now() where account_id = $1`, [deleted]);
    await worker().unsubscribeDue();
    expect(await atAmazon('A2LIFE000003')).toEqual([]);
    expect(await row(deleted)).toBeUndefined();
  }, 60_000);

  it('sync on again while the delete at Amazon is still pending: subscribed again, the subscription kept', async () => {
    const paused = await account('A2LIFE000004');
    const subscriptions = worker();
    await subscriptions.subscribeDue();
    const [made] = await atAmazon('A2LIFE000004');
    expect((await sandboxCall('POST', '/_sandbox/faults', { operation: 'deleteSubscriptionById', status: 503 })).status).toBe(201);
    await accounts.update(paused, { syncEnabled: false });
    await subscriptions.unsubscribeDue();
    expect((await accounts.view(paused)).orderNotifications).toMatchObject({ status: OrderNotificationsStatus.Unsubscribing, lastError: expect.stringContaining('deleteSubscriptionById') });

    await accounts.update(paused, { syncEnabled: true });
    await subscriptions.subscribeDue();
    await subscriptions.unsubscribeDue();
    expect(await row(paused)).toMatchObject({ status: 'subscribed', subscription_id: made.subscriptionId, unsubscribe_attempts: 0 });
    expect(await atAmazon('A2LIFE000004')).toEqual([made]);
  }, 60_000);

  it('a deleted account\'s delete never takes the subscription of the seller\'s new account (same seller, region and app): only forgotten', async () => {
    // Amazon away when the old account is deleted: its delete is pending when the seller is linked again.
    const old = await account('A2LIFE000005');
    await worker().subscribeDue();
    const [shared] = await atAmazon('A2LIFE000005');
    expect((await sandboxCall('POST', '/_sandbox/faults', { operation: 'deleteSubscriptionById', status: 503 })).status).toBe(201);
    await accounts.remove(old);
    await worker().unsubscribeDue();
    expect(await row(old)).toMatchObject({ status: 'unsubscribing' });
    const relinked = await account('A2LIFE000005', { atAmazonAlready: true });
    await worker().subscribeDue();
    // Amazon's one subscription of the app and seller: the new account's too.
    expect(await row(relinked)).toMatchObject({ status: 'subscribed', subscription_id: shared.subscriptionId });
    await sandboxCall('DELETE', '/_sandbox/faults');
    await db.query(`update ingestion.order_change_subscriptions set due_at = now() where account_id = $1`, [old]);
    await worker().unsubscribeDue();
    expect(await row(old)).toBeUndefined();
    expect(await atAmazon('A2LIFE000005')).toEqual([shared]);
    expect(await row(relinked)).toMatchObject({ status: 'subscribed', subscription_id: shared.subscriptionId });

    // No outage: the delete and the new link within one pass (subscribe runs first), the same.
    const second = await account('A2LIFE000006');
    await worker().subscribeDue();
    const [kept] = await atAmazon('A2LIFE000006');
    await accounts.remove(second);
    const again = await account('A2LIFE000006', { atAmazonAlready: true });
    const pass = worker();
    await pass.subscribeDue();
    await pass.unsubscribeDue();
    expect(await row(second)).toBeUndefined();
    expect(await atAmazon('A2LIFE000006')).toEqual([kept]);
    expect(await row(again)).toMatchObject({ status: 'subscribed', subscription_id: kept.subscriptionId });

    // The new account deleted as well: nothing uses the subscription any more, so it is deleted at Amazon.
    await accounts.remove(again);
    await worker().unsubscribeDue();
    expect(await atAmazon('A2LIFE000006')).toEqual([]);
  }, 60_000);

  it('neither subscribes nor deletes for a seller another process is subscribing or deleting for right now: due again next pass', async () => {
    const busy = await account('A2LIFE000007');
    const [{ schema }] = await db.query(`select current_schema() as schema`);
    const holder = await db.createQueryRunner();
    await holder.connect();
    try {
      // The lock another process holds while it subscribes or deletes for this seller, endpoint and app.
      await holder.query(`select pg_advisory_lock(hashtext('periodic job'), hashtext($1))`, [`${schema}:order-change subscription ${sandbox.url} A2LIFE000007 client`]);
      await worker().subscribeDue();
      expect(await row(busy)).toBeUndefined();
      expect(await atAmazon('A2LIFE000007')).toEqual([]);
    } finally {
      await holder.query(`select pg_advisory_unlock_all()`);
      await holder.release();
    }
    await worker().subscribeDue();
    expect(await row(busy)).toMatchObject({ status: 'subscribed' });
  }, 60_000);

  it('a delete selected in a pass is not made when the account\'s sync is on again by the time its turn comes', async () => {
    const paused = await account('A2LIFE000008');
    await worker().subscribeDue();
    const [made] = await atAmazon('A2LIFE000008');
    await accounts.update(paused, { syncEnabled: false });
    const [selected] = await db.query(`select s.account_id, s.subscription_id, s.unsubscribe_attempts from ingestion.order_change_subscriptions s where s.account_id = $1`, [paused]);
    // Selected while sync was off; its turn comes after the admin turned it on again.
    await accounts.update(paused, { syncEnabled: true });
    await (worker() as unknown as { unsubscribe(row: unknown): Promise<void> }).unsubscribe(selected);
    expect(await atAmazon('A2LIFE000008')).toEqual([made]);
    expect(await row(paused)).toMatchObject({ status: 'subscribed', subscription_id: made.subscriptionId });
  }, 60_000);

  it('a deleted account whose sealed app secret Amazon no longer takes (rotated since): its subscription deleted with a live account\'s app credentials', async () => {
    const deleted = await account('A2LIFE000009');
    await account('A2LIFE000010');
    await worker().subscribeDue();
    expect(await atAmazon('A2LIFE000009')).toHaveLength(1);
    await db.query(`update ingestion.seller_accounts set encrypted_client_secret = $2 where id = $1`, [deleted, secrets.encrypt('an-old-secret', accountSecretContext(deleted, 'clientSecret'))]);
    await accounts.remove(deleted);
    await worker().unsubscribeDue();
    expect(await atAmazon('A2LIFE000009')).toEqual([]);
    expect(await row(deleted)).toBeUndefined();
    expect(await atAmazon('A2LIFE000010')).toHaveLength(1);
  }, 60_000);
});
