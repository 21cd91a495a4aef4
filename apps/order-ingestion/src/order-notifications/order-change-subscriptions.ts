import { createHash } from 'node:crypto';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SETTINGS } from '@connector/platform';
import {
  AmazonEndpoints,
  createDestination,
  createSubscription,
  deleteSubscriptionById,
  getDestinations,
  getSubscription,
  GrantlessTokens,
  NOTIFICATIONS_SCOPE,
  SpApiAccess,
  SpApiClient,
  SpApiClients,
  SpApiError,
} from '@connector/sp-api';
import { runAlone } from '@connector/persistence';
import { backoffDelay, inWorkContext, PeriodicWorker } from '@connector/workers';
import { DataSource } from 'typeorm';
import { AccountsService } from '../accounts/accounts.service';
import { SellerAccount } from '../accounts/seller-account.entity';
import { OrderIngestionSettings } from '../order-ingestion.settings';
import { VERIFY_SUBSCRIPTION_EVERY_HOURS } from './notification-flow';
import { NotificationDestination, OrderChangeSubscription } from './order-notifications.entities';

export const ORDER_CHANGE = 'ORDER_CHANGE';
/** A subscription that could not be made is tried again this much later (createSubscription allows 1 a second, but a refusal rarely passes sooner). */
const RETRY_AFTER_FAILURE_MS = 5 * 60_000;
/** Between failed deletes of a subscription at Amazon (account deleted or sync off): full jitter under a ceiling doubling from a minute up to six hours. */
const UNSUBSCRIBE_BACKOFF = { baseMs: 60_000, maxMs: 6 * 3600_000 };
/** Failed deletes after which each further failure is logged as an error (about two days in): someone should look, it is still retried. */
const UNSUBSCRIBE_ATTEMPTS_BEFORE_ERROR = 12;

/**
 * Which credentials a subscription was checked with: a digest of the LWA client id and the sealed
 * refresh token (never the secret itself), so a re-authorization or new credentials check it again.
 * The same expression as CREDENTIALS_DIGEST_SQL.
 */
export function credentialsDigest(account: Pick<SellerAccount, 'lwaClientId' | 'encryptedRefreshToken'>): string {
  return createHash('sha256').update(`${account.lwaClientId}:${account.encryptedRefreshToken}`, 'utf8').digest('hex');
}
const CREDENTIALS_DIGEST_SQL = `encode(sha256(convert_to(a.lwa_client_id || ':' || a.encrypted_refresh_token, 'UTF8')), 'hex')`;

/**
 * Each account's ORDER_CHANGE subscription to the queue of ORDER_NOTIFICATIONS_QUEUE_URL: the
 * destination once per LWA client and queue (createDestination with a grantless token; one made
 * before is found with getDestinations), then createSubscription with the seller's token (one made
 * before, say by another replica, is found with getSubscription; Amazon's 409 likewise). Every call
 * goes through the account's paced client. A subscription is checked again with getSubscription
 * every VERIFY_SUBSCRIPTION_EVERY_HOURS and whenever the account's credentials change (made again when gone);
 * the sync scheduler relaxes polling only on a recent check.
 *
 * An account deleted or with its sync off has its subscription deleted at Amazon
 * (deleteSubscriptionById, grantless: the app's client id and secret, still sealed in the account's
 * row, which a delete only marks). Its row here is the durable "to delete": it stays until Amazon
 * confirms (or answers 404), `unsubscribing` with the reason and back-off after a failure, so a crash
 * or Amazon away between the account's change and the call leaves nothing behind. Sync on again:
 * subscribed again (at once when the delete is still pending: getSubscription finds it). The
 * destination is the application's, shared by every account, and is never deleted.
 *
 * Amazon keeps one subscription per application, seller and type (per regional endpoint), so a
 * seller's new account (same seller, region and app, made after the old one was deleted) uses the
 * deleted account's subscription: the delete is then only forgotten. Subscribing and deleting for
 * one seller, endpoint and app run one at a time across replicas (a PostgreSQL advisory lock,
 * tried, never waited for: a busy one is due again next pass), and the delete re-checks under it,
 * right before the call, that its account is still deleted or with sync off and that no live
 * account uses the subscription.
 */
@Injectable()
export class OrderChangeSubscriptions implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('OrderNotifications');
  private readonly grantless: GrantlessTokens;
  private worker?: PeriodicWorker;

  constructor(
    private readonly dataSource: DataSource,
    private readonly accounts: AccountsService,
    private readonly clients: SpApiClients,
    @Inject(AmazonEndpoints) endpoints: AmazonEndpoints,
    @Inject(SETTINGS) private readonly settings: OrderIngestionSettings,
  ) {
    this.grantless = new GrantlessTokens(endpoints);
  }

  onApplicationBootstrap(): void {
    if (!this.settings.notificationsEnabled) return;
    this.worker = new PeriodicWorker({
      name: 'order-change subscriptions',
      pass: async () => {
        await this.subscribeDue();
        await this.unsubscribeDue();
      },
      everyMs: Math.max(1000, this.settings.SYNC_TICK_SECONDS * 1000),
      onError: (message) => this.logger.warn(message),
      stopWaitMs: 2000,
    });
    this.worker.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.worker?.stop();
  }

  /** Accounts (sync on) without a subscription to this queue, whose last try failed and is due again, or whose subscription is due a check. */
  async subscribeDue(): Promise<void> {
    const arn = this.settings.notificationsQueueArn;
    const due: { id: string }[] = await this.dataSource.query(
      `select a.id from seller_accounts a
         left join order_change_subscriptions s on s.account_id = a.id
        where a.deleted_at is null and a.sync_enabled
          and (s.account_id is null or s.queue_arn <> $1 or (s.status = 'failed' and s.due_at <= now()) or s.status = 'unsubscribing'
               or (s.status = 'subscribed' and (s.verified_at is null or s.verified_at < now() - make_interval(hours => $2)
                                                or s.credentials_digest is distinct from ${CREDENTIALS_DIGEST_SQL})))
        order by a.created_at limit 20`,
      [arn, VERIFY_SUBSCRIPTION_EVERY_HOURS],
    );
    for (const { id } of due) {
      const account = await this.accounts.get(id).catch(() => undefined);
      if (!account) continue;
      await inWorkContext({ accountId: id }, () => this.oneAtATime(account, () => this.subscribe(account, arn)));
    }
  }

  /**
   * Runs `work` unless another process subscribes or deletes for the same seller, endpoint and
   * app right now (then it is due again next pass): a subscription found with getSubscription is
   * never recorded for a new account while the old account's delete of it is under way.
   */
  private async oneAtATime(account: Pick<SellerAccount, 'id' | 'sellerId' | 'apiEndpoint' | 'lwaClientId'>, work: () => Promise<void>): Promise<void> {
    const outcome = await runAlone(this.dataSource, `order-change subscription ${account.apiEndpoint} ${account.sellerId} ${account.lwaClientId}`, work);
    if (!outcome.ran) this.logger.debug(`account ${account.id}: its seller's ORDER_CHANGE subscription is handled by another process now; next pass`);
  }

  private async subscribe(account: SellerAccount, arn: string): Promise<void> {
    const known = await this.dataSource.getRepository(OrderChangeSubscription).findOneBy({ accountId: account.id });
    try {
      const access = this.accounts.spApiAccess(account);
      const client = this.clients.for(access);
      const destinationId = await this.destination(access, client, arn);
      let subscription = await getSubscription(client, ORDER_CHANGE);
      if (!subscription) {
        try {
          subscription = await createSubscription(client, ORDER_CHANGE, destinationId);
        } catch (err) {
          // Another replica (or an earlier, lost answer) subscribed meanwhile.
          if (!(err instanceof SpApiError && err.status === 409)) throw err;
          subscription = await getSubscription(client, ORDER_CHANGE);
          if (!subscription) throw err;
        }
      }
      if (subscription.destinationId !== destinationId) {
        throw new Error(`the seller's ORDER_CHANGE subscription ${subscription.subscriptionId} of this application goes to another destination (${subscription.destinationId}); delete it at Amazon (deleteSubscriptionById) and it is made again for this queue`);
      }
      const same = known?.status === 'subscribed' && known.subscriptionId === subscription.subscriptionId && known.queueArn === arn;
      await this.record(account.id, arn, { status: 'subscribed', subscriptionId: subscription.subscriptionId, destinationId, lastError: null, subscribedAt: same ? known.subscribedAt : new Date(), verifiedAt: new Date(), credentialsDigest: credentialsDigest(account), unsubscribeAttempts: 0 });
      if (!same) this.logger.log(`account ${account.id} subscribed to ORDER_CHANGE (subscription ${subscription.subscriptionId})`);
    } catch (err) {
      const reason = err instanceof SpApiError ? `${err.operation}: ${err.status} ${err.code}` : String((err as Error)?.message ?? err).slice(0, 500);
      this.logger.warn(`account ${account.id} not subscribed to ORDER_CHANGE: ${reason}`);
      // The id of a subscription made before is kept: should the account go, it is the one to delete at Amazon.
      await this.record(account.id, arn, { status: 'failed', lastError: reason, subscriptionId: known?.subscriptionId ?? null, destinationId: known?.destinationId ?? null, subscribedAt: null, verifiedAt: null, credentialsDigest: null, unsubscribeAttempts: 0 }, RETRY_AFTER_FAILURE_MS);
    }
  }

  /** Subscriptions of accounts deleted or with sync off, new or due another try: deleted at Amazon. */
  async unsubscribeDue(): Promise<void> {
    const due: { account_id: string; subscription_id: string | null; unsubscribe_attempts: number }[] = await this.dataSource.query(
      `select s.account_id, s.subscription_id, s.unsubscribe_attempts from order_change_subscriptions s
         join seller_accounts a on a.id = s.account_id
        where (a.deleted_at is not null or not a.sync_enabled) and (s.status <> 'unsubscribing' or s.due_at <= now())
        order by s.updated_at limit 20`,
    );
    for (const row of due) await inWorkContext({ accountId: row.account_id }, () => this.unsubscribe(row));
  }

  private async unsubscribe(row: { account_id: string; subscription_id: string | null; unsubscribe_attempts: number }): Promise<void> {
    // Deleted accounts too: a delete only marks the row, whose sealed credentials this call needs.
    const account = await this.dataSource.getRepository(SellerAccount).findOneBy({ id: row.account_id });
    if (!account) return;
    await this.oneAtATime(account, () => this.unsubscribeAlone(row));
  }

  /** The delete, under the seller's lock: everything it rests on read again first. */
  private async unsubscribeAlone(row: { account_id: string; subscription_id: string | null; unsubscribe_attempts: number }): Promise<void> {
    const account = await this.stillUnwanted(row.account_id);
    if (!account) return;
    const why = account.deletedAt ? 'deleted' : 'sync off';
    // Only the row of this subscription: one made meanwhile (sync on again) stays.
    const forget = () => this.dataSource.query(`delete from order_change_subscriptions where account_id = $1 and subscription_id is not distinct from $2`, [account.id, row.subscription_id]);
    const [current]: { subscription_id: string | null }[] = await this.dataSource.query(`select subscription_id from order_change_subscriptions where account_id = $1`, [account.id]);
    // Subscribed again meanwhile (another process, sync on and off again): that row's own pass handles it.
    if (!current || current.subscription_id !== row.subscription_id) return;
    if (!row.subscription_id) {
      // Never subscribed (every try failed): nothing known to delete.
      await forget();
      return;
    }
    const sharedWith = await this.liveAccountOfSameSeller(account);
    if (sharedWith) {
      // Amazon's one subscription of this app and seller is the live account's now: deleting it would stop its notifications.
      await forget();
      this.logger.log(`account ${account.id} (${why}): ORDER_CHANGE subscription ${row.subscription_id} kept at Amazon, account ${sharedWith} of the same seller uses it`);
      return;
    }
    try {
      const access = this.accounts.spApiAccess(account);
      const token = await this.appToken(account, access);
      // Read again right before the call: sync turned on, or a new account linked, while the token was fetched.
      if (!(await this.stillUnwanted(account.id)) || (await this.liveAccountOfSameSeller(account))) return;
      const result = await deleteSubscriptionById(this.clients.for(access), token, ORDER_CHANGE, row.subscription_id);
      await forget();
      this.logger.log(`account ${account.id} (${why}): ORDER_CHANGE subscription ${row.subscription_id} ${result === 'deleted' ? 'deleted at Amazon' : 'was gone at Amazon already'}`);
    } catch (err) {
      const attempts = row.unsubscribe_attempts + 1;
      const delayMs = Math.max(30_000, backoffDelay(attempts, UNSUBSCRIBE_BACKOFF));
      const reason = err instanceof SpApiError ? `${err.operation}: ${err.status} ${err.code}` : String((err as Error)?.message ?? err).slice(0, 500);
      const message = `account ${account.id} (${why}): ORDER_CHANGE subscription ${row.subscription_id} not deleted at Amazon (${reason}); tried again in ${Math.round(delayMs / 1000)} s`;
      if (attempts >= UNSUBSCRIBE_ATTEMPTS_BEFORE_ERROR) this.logger.error(`${message}; ${attempts} tries failed: delete it at Amazon (deleteSubscriptionById) or look at the app's credentials`);
      else this.logger.warn(message);
      await this.dataSource.query(
        `update order_change_subscriptions set status = 'unsubscribing', last_error = $3, unsubscribe_attempts = $4, due_at = now() + make_interval(secs => $5), updated_at = now()
          where account_id = $1 and subscription_id is not distinct from $2`,
        [account.id, row.subscription_id, `deleteSubscriptionById: ${reason}`, attempts, delayMs / 1000],
      );
    }
  }

  /**
   * A grantless token of the account's app: with the app credentials sealed in the account's row,
   * or, when those are refused (the app's secret rotated at Amazon since the account was deleted),
   * with those of a live account of the same app, so such a delete can still be made.
   */
  private async appToken(account: SellerAccount, access: SpApiAccess): Promise<string> {
    try {
      return await this.grantless.token(access, NOTIFICATIONS_SCOPE);
    } catch (err) {
      const [live]: { id: string }[] = await this.dataSource.query(
        `select id from seller_accounts where id <> $1 and lwa_client_id = $2 and lwa_endpoint = $3 and deleted_at is null order by updated_at desc limit 1`,
        [account.id, account.lwaClientId, account.lwaEndpoint],
      );
      const other = live && (await this.dataSource.getRepository(SellerAccount).findOneBy({ id: live.id }));
      if (!other) throw err;
      return this.grantless.token(this.accounts.spApiAccess(other), NOTIFICATIONS_SCOPE);
    }
  }

  /** The account, if it is still deleted or with its sync off (sync on again: its subscription is wanted). */
  private async stillUnwanted(accountId: string): Promise<SellerAccount | undefined> {
    const account = await this.dataSource.getRepository(SellerAccount).findOneBy({ id: accountId });
    return account && (account.deletedAt || !account.syncEnabled) ? account : undefined;
  }

  /** Another account of the same seller, regional endpoint and app, not deleted and with sync on: it shares the account's subscription at Amazon. */
  private async liveAccountOfSameSeller(account: SellerAccount): Promise<string | undefined> {
    const [live]: { id: string }[] = await this.dataSource.query(
      `select id from seller_accounts where id <> $1 and seller_id = $2 and api_endpoint = $3 and lwa_client_id = $4 and deleted_at is null and sync_enabled limit 1`,
      [account.id, account.sellerId, account.apiEndpoint, account.lwaClientId],
    );
    return live?.id;
  }

  /** The destination of this LWA client for the queue: recorded, found at Amazon, or made there. */
  private async destination(access: SpApiAccess, client: SpApiClient, arn: string): Promise<string> {
    const key = { lwaEndpoint: access.lwaEndpoint, lwaClientId: access.clientId, queueArn: arn };
    const known = await this.dataSource.getRepository(NotificationDestination).findOne({ where: key });
    if (known) return known.destinationId;
    const token = await this.grantless.token(access, NOTIFICATIONS_SCOPE);
    const find = async () => (await getDestinations(client, token)).find((d) => d.resource?.sqs?.arn === arn)?.destinationId;
    let destinationId = await find();
    if (!destinationId) {
      try {
        destinationId = (await createDestination(client, token, 'amazon-order-connector', arn)).destinationId;
      } catch (err) {
        if (!(err instanceof SpApiError && err.status === 409)) throw err;
        destinationId = await find();
        if (!destinationId) throw err;
      }
    }
    await this.dataSource.createQueryBuilder().insert().into(NotificationDestination).values({ ...key, destinationId, createdAt: new Date() }).orIgnore().execute();
    return destinationId;
  }

  private async record(accountId: string, queueArn: string, fields: Partial<OrderChangeSubscription>, retryInMs = 0): Promise<void> {
    await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(OrderChangeSubscription)
      .values({ accountId, queueArn, dueAt: new Date(Date.now() + retryInMs), updatedAt: new Date(), ...fields })
      .orUpdate(['queue_arn', 'status', 'subscription_id', 'destination_id', 'last_error', 'due_at', 'subscribed_at', 'verified_at', 'credentials_digest', 'unsubscribe_attempts', 'updated_at'], ['account_id'])
      .execute();
  }
}
