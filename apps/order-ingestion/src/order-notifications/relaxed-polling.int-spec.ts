import { IngestionDatabase, insertSellerAccount } from '../../test/ingestion-database';
import { DataSource } from 'typeorm';
import { waitFor } from '@connector/testing';
import { OrderIngestionSettings } from '../order-ingestion.settings';
import { SyncScheduler } from '../sync/sync-scheduler';
import { SyncService } from '../sync/sync.service';
import { NotificationFlow } from './notification-flow';

/**
 * While ORDER_CHANGE notifications flow, a subscribed account's next poll is
 * ORDER_NOTIFICATIONS_SYNC_INTERVAL_SECONDS away (the safety net) if Amazon showed its
 * subscription within a day and a notification of it arrived within that interval; an account not
 * subscribed, one whose subscription was not checked lately, one nothing arrived for, or any
 * account once the queue is not read, keeps its own interval.
 */
describe('polling relaxes while notifications flow (scheduler on real PostgreSQL)', () => {
  const database = new IngestionDatabase();
  let db: DataSource;
  let scheduler: SyncScheduler;
  const settings = {
    SYNC_TICK_SECONDS: 0.2,
    SYNC_LEASE_SECONDS: 10,
    ORDER_NOTIFICATIONS_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/order-changes',
    ORDER_NOTIFICATIONS_SYNC_INTERVAL_SECONDS: 7200,
    notificationsEnabled: true,
  } as unknown as OrderIngestionSettings;
  const flow = new NotificationFlow(settings);
  const runs: string[] = [];
  const service = { run: async (account: { id: string }) => void runs.push(account.id) } as unknown as SyncService;

  beforeAll(async () => {
    db = await database.setUp();
  });

  afterAll(async () => {
    await scheduler?.onApplicationShutdown();
    await database.tearDown();
  });

  const secondsToNextSync = async (id: string) =>
    Number((await db.query(`select extract(epoch from next_sync_at - now()) as s from ingestion.seller_accounts where id = $1`, [id]))[0].s);

  it('a subscribed account is next polled at the slower interval while the queue is read; one not subscribed at its own', async () => {
    flow.read();
    const subscribed = await insertSellerAccount(db, { name: 'subscribed', sellerId: 'A2RELAX0001', syncIntervalSeconds: 60 });
    const unsubscribed = await insertSellerAccount(db, { name: 'not subscribed', sellerId: 'A2RELAX0002', syncIntervalSeconds: 60 });
    await db.query(
      `insert into ingestion.order_change_subscriptions (account_id, queue_arn, status, subscription_id, destination_id, due_at, subscribed_at, verified_at, last_notification_at) values ($1, 'arn:aws:sqs:eu-west-1:123456789012:order-changes', 'subscribed', 's', 'd', now(), now(), now(), now())`,
      [subscribed],
    );
    scheduler = new SyncScheduler(db, service, settings, undefined, flow);
    scheduler.onApplicationBootstrap();
    await waitFor(async () => {
      const released = await db.query(`select count(*)::int as n from ingestion.seller_accounts where id = any($1) and lease_owner is null and next_sync_at > now()`, [[subscribed, unsubscribed]]);
      return runs.length >= 2 && released[0].n === 2;
    }, { what: 'both accounts synced once' });
    expect(await secondsToNextSync(subscribed)).toBeGreaterThan(7000);
    expect(await secondsToNextSync(unsubscribed)).toBeLessThanOrEqual(60);
  });

  it('a subscription not checked at Amazon for over a day, or one no notification came through lately, does not relax polling', async () => {
    flow.read();
    const unverified = await insertSellerAccount(db, { name: 'not checked lately', sellerId: 'A2RELAX0003', syncIntervalSeconds: 60 });
    const silent = await insertSellerAccount(db, { name: 'nothing arrived', sellerId: 'A2RELAX0004', syncIntervalSeconds: 60 });
    const subscription = `insert into ingestion.order_change_subscriptions (account_id, queue_arn, status, subscription_id, destination_id, due_at, subscribed_at, verified_at, last_notification_at)
      values ($1, 'arn:aws:sqs:eu-west-1:123456789012:order-changes', 'subscribed', 's', 'd', now(), now() - interval '3 days', now() - $2::interval, now() - $3::interval)`;
    await db.query(subscription, [unverified, '27 hours', '1 minute']);
    await db.query(subscription, [silent, '1 hour', '3 hours']);
    runs.length = 0;
    await waitFor(async () => {
      const released = await db.query(`select count(*)::int as n from ingestion.seller_accounts where id = any($1) and lease_owner is null and next_sync_at > now()`, [[unverified, silent]]);
      return runs.includes(unverified) && runs.includes(silent) && released[0].n === 2;
    }, { what: 'both accounts synced once' });
    expect(await secondsToNextSync(unverified)).toBeLessThanOrEqual(60);
    expect(await secondsToNextSync(silent)).toBeLessThanOrEqual(60);
  });
});
