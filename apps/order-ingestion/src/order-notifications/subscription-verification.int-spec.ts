import { DataSource } from 'typeorm';
import { AmazonEndpoints, SpApiClients } from '@connector/sp-api';
import { IngestionDatabase, insertSellerAccount } from '../../test/ingestion-database';
import { AccountsService } from '../accounts/accounts.service';
import { SellerAccount } from '../accounts/seller-account.entity';
import { OrderIngestionSettings } from '../order-ingestion.settings';
import { credentialsDigest, OrderChangeSubscriptions } from './order-change-subscriptions';

/**
 * Subscriptions are checked at Amazon again: a day after the last check, and at once when the
 * account's credentials change (a re-authorization); a recent check with the same credentials waits.
 */
describe('ORDER_CHANGE subscriptions are checked again (real PostgreSQL)', () => {
  const database = new IngestionDatabase();
  let db: DataSource;
  const settings = { ORDER_NOTIFICATIONS_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/order-changes', notificationsQueueArn: 'arn:aws:sqs:eu-west-1:123456789012:order-changes', SYNC_TICK_SECONDS: 2, notificationsEnabled: true } as unknown as OrderIngestionSettings;

  beforeAll(async () => {
    db = await database.setUp();
  });

  afterAll(async () => {
    await database.tearDown();
  });

  it('is due a check after a day or new credentials, not before', async () => {
    const account = (name: string, sellerId: string, token: string) => insertSellerAccount(db, { name, sellerId, encryptedRefreshToken: token });
    const fresh = await account('checked now', 'A2VERIFY0001', 'sealed-1');
    const old = await account('checked two days ago', 'A2VERIFY0002', 'sealed-2');
    const reauthorized = await account('re-authorized since', 'A2VERIFY0003', 'sealed-3-new');
    const accounts = new Map((await db.getRepository(SellerAccount).findBy({})).map((a) => [a.id, a]));
    const insert = (id: string, verifiedAgo: string, digestOf: string) =>
      db.query(
        `insert into ingestion.order_change_subscriptions (account_id, queue_arn, status, subscription_id, destination_id, due_at, subscribed_at, verified_at, credentials_digest)
         values ($1, $2, 'subscribed', 's', 'd', now(), now() - interval '3 days', now() - $3::interval, $4)`,
        [id, settings.notificationsQueueArn, verifiedAgo, credentialsDigest({ lwaClientId: accounts.get(id)!.lwaClientId, encryptedRefreshToken: digestOf })],
      );
    await insert(fresh, '1 minute', 'sealed-1');
    await insert(old, '25 hours', 'sealed-2');
    await insert(reauthorized, '1 minute', 'sealed-3-old');
    const subscriptions = new OrderChangeSubscriptions(db, { get: async (id: string) => accounts.get(id) } as unknown as AccountsService, {} as SpApiClients, {} as AmazonEndpoints, settings);
    const checked: string[] = [];
    jest.spyOn(subscriptions as unknown as { subscribe: (a: SellerAccount) => Promise<void> }, 'subscribe').mockImplementation(async (a: SellerAccount) => void checked.push(a.id));
    await subscriptions.subscribeDue();
    expect(checked.sort()).toEqual([old, reauthorized].sort());
  });
});
