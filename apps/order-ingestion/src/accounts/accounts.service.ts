import { Inject, Injectable, Optional } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  AccountAccess,
  AccountChangeMessage,
  accountTransitContext,
  AccountView,
  CreateAccountMessage,
  OrderNotificationsStatus,
  OrdersApiVersion,
  Page,
  PageQuery,
  Region,
  StockSyncAccountsView,
} from '@connector/contracts';
import { accountSecretContext, SecretBox, listPage, ServiceError, SETTINGS, TransitSecrets } from '@connector/platform';
import { AmazonEndpoints, REGION_ENDPOINTS, type SpApiAccess } from '@connector/sp-api';
import { IsNull, Repository } from 'typeorm';
import { newRowId } from '@connector/persistence';
import { MarketplacesService } from '../marketplaces/marketplaces.service';
import type { OrderIngestionSettings } from '../order-ingestion.settings';
import { SellerAccount } from './seller-account.entity';

/** A new account reads the orders of this many days before it was made. */
export const DEFAULT_BACKFILL_DAYS = 30;

/** The sync state of an account just made (by hand or by a link with Amazon): nothing synced, due at once, no lease. */
export function newAccountSyncState(): Pick<SellerAccount, 'lastSyncedUntil' | 'lastSyncSucceededAt' | 'backfillMarketplaceIds' | 'nextSyncAt' | 'syncRequestedAt' | 'leaseOwner' | 'leaseExpiresAt' | 'deletedAt'> {
  return { lastSyncedUntil: null, lastSyncSucceededAt: null, backfillMarketplaceIds: [], nextSyncAt: new Date(), syncRequestedAt: null, leaseOwner: null, leaseExpiresAt: null, deletedAt: null };
}

@Injectable()
export class AccountsService {
  constructor(
    @InjectRepository(SellerAccount) private readonly accounts: Repository<SellerAccount>,
    private readonly marketplaces: MarketplacesService,
    @Inject(SecretBox) private readonly secrets: SecretBox,
    private readonly transit: TransitSecrets,
    @Inject(AmazonEndpoints) private readonly allowedEndpoints: AmazonEndpoints,
    @Optional() @Inject(SETTINGS) private readonly settings?: OrderIngestionSettings,
  ) {}

  async create(request: CreateAccountMessage): Promise<AccountView> {
    this.checkEndpoints(request.region, request);
    await this.checkMarketplaces(request.region, request.marketplaceIds);
    const endpoints = REGION_ENDPOINTS[request.region];
    const duplicate = await this.accounts.findOneBy({ sellerId: request.sellerId, region: request.region, deletedAt: IsNull() });
    if (duplicate) throw ServiceError.conflict(`seller ${request.sellerId} in ${request.region} is already account ${duplicate.id}`);
    const clientSecret = this.openInTransit(request.sealedClientSecret, accountTransitContext(request, 'clientSecret'), 'lwaClientSecret');
    const refreshToken = this.openInTransit(request.sealedRefreshToken, accountTransitContext(request, 'refreshToken'), 'refreshToken');
    const id = newRowId();
    const account = this.accounts.create({
      id,
      name: request.name,
      sellerId: request.sellerId,
      region: request.region,
      lwaClientId: request.lwaClientId,
      encryptedClientSecret: this.secrets.encrypt(clientSecret, accountSecretContext(id, 'clientSecret')),
      encryptedRefreshToken: this.secrets.encrypt(refreshToken, accountSecretContext(id, 'refreshToken')),
      marketplaceIds: request.marketplaceIds,
      ordersApi: request.ordersApi ?? OrdersApiVersion.V2026,
      apiEndpoint: request.apiEndpoint ?? endpoints.apiEndpoint,
      lwaEndpoint: request.lwaEndpoint ?? endpoints.lwaEndpoint,
      syncEnabled: request.syncEnabled ?? true,
      syncIntervalSeconds: request.syncIntervalSeconds ?? 300,
      initialSyncFrom: request.initialSyncFrom ? new Date(request.initialSyncFrom) : new Date(Date.now() - DEFAULT_BACKFILL_DAYS * 86400_000),
      defaultProductId: request.defaultProductId ?? null,
      stockSync: request.stockSync ?? false,
      stockBuffer: request.stockBuffer ?? 0,
      handlingTimeDays: request.handlingTimeDays ?? null,
      ...newAccountSyncState(),
    });
    await this.accounts.insert(account);
    return toView(await this.get(account.id));
  }

  async list(query: PageQuery): Promise<Page<AccountView>> {
    const page = await listPage(this.accounts.createQueryBuilder('a').where('a.deletedAt IS NULL'), query, toView);
    return { ...page, items: await this.withOrderNotifications(page.items) };
  }

  async view(id: string): Promise<AccountView> {
    return (await this.withOrderNotifications([toView(await this.get(id))]))[0];
  }

  /** The accounts' ORDER_CHANGE subscriptions (order-notifications), one query for all. */
  private async withOrderNotifications(views: AccountView[]): Promise<AccountView[]> {
    if (!views.length) return views;
    const rows: { account_id: string; status: string; subscription_id: string | null; last_error: string | null; subscribed_at: Date | null; last_notification_at: Date | null }[] = this.settings?.notificationsEnabled
      ? await this.accounts.manager.query(`select account_id, status, subscription_id, last_error, subscribed_at, last_notification_at from order_change_subscriptions where account_id = any($1) and queue_arn = $2`, [views.map((v) => v.id), this.settings.notificationsQueueArn])
      : [];
    const byAccount = new Map(rows.map((r) => [r.account_id, r]));
    return views.map((view) => {
      const row = byAccount.get(view.id);
      const status = !this.settings?.notificationsEnabled ? OrderNotificationsStatus.Off : ((row?.status as OrderNotificationsStatus | undefined) ?? OrderNotificationsStatus.Pending);
      return {
        ...view,
        orderNotifications: {
          status,
          subscriptionId: row?.subscription_id ?? null,
          lastError: row?.last_error ?? null,
          subscribedAt: row?.subscribed_at?.toISOString() ?? null,
          lastNotificationAt: row?.last_notification_at?.toISOString() ?? null,
        },
      };
    });
  }

  async get(id: string): Promise<SellerAccount> {
    const account = await this.accounts.findOneBy({ id, deletedAt: IsNull() });
    if (!account) throw ServiceError.notFound(`account ${id} not found`);
    return account;
  }

  /**
   * Writes only the columns the request changes: a sync run, its lease and its cursor write the
   * same row meanwhile, and a save of the whole row read before would put their old values back.
   */
  async update(id: string, changes: AccountChangeMessage): Promise<AccountView> {
    const account = await this.get(id);
    // handlingTimeDays may be null (no longer sent); these two have no such meaning.
    const nulls = (['stockSync', 'stockBuffer'] as const).filter((field) => changes[field] === null);
    if (nulls.length) throw ServiceError.badRequest('Validation failed', nulls.map((field) => ({ field, errors: [`${field} must not be null`] })));
    this.checkEndpoints(account.region, changes);
    this.checkSecretsGivenAgain(account, changes);
    if (changes.marketplaceIds) await this.checkMarketplaces(account.region, changes.marketplaceIds);
    const { sealedClientSecret, sealedRefreshToken, ...plain } = changes;
    const patch: Partial<SellerAccount> = Object.fromEntries(Object.entries(plain).filter(([, value]) => value !== undefined));
    if (sealedClientSecret) {
      const clientSecret = this.openInTransit(sealedClientSecret, accountTransitContext({ id }, 'clientSecret'), 'lwaClientSecret');
      // The stored id (lower case), as every reader has it: the path's id may be written otherwise.
      patch.encryptedClientSecret = this.secrets.encrypt(clientSecret, accountSecretContext(account.id, 'clientSecret'));
    }
    if (sealedRefreshToken) {
      const refreshToken = this.openInTransit(sealedRefreshToken, accountTransitContext({ id }, 'refreshToken'), 'refreshToken');
      patch.encryptedRefreshToken = this.secrets.encrypt(refreshToken, accountSecretContext(account.id, 'refreshToken'));
    }
    if (changes.syncIntervalSeconds || changes.syncEnabled) patch.nextSyncAt = new Date();
    await this.accounts.manager.transaction(async (manager) => {
      if (changes.marketplaceIds) {
        // Newly enabled marketplaces wait for a backfill (see SyncService.run), and a sync soon;
        // disabled ones no longer wait. Against the row as it is now, before the ids change.
        await manager.query(
          `update seller_accounts
              set backfill_marketplace_ids = array(
                    select distinct m from unnest(backfill_marketplace_ids || array(select unnest($2::text[]) except select unnest(marketplace_ids))) as m
                     where m = any($2::text[]) order by m),
                  next_sync_at = case when $2::text[] <@ marketplace_ids then next_sync_at else now() end
            where id = $1`,
          [id, changes.marketplaceIds],
        );
      }
      if (Object.keys(patch).length) await manager.update(SellerAccount, { id: account.id }, patch);
    });
    return this.view(id);
  }

  /**
   * Soft delete: its orders stay, its sync stops. Its sealed credentials stay too: its ORDER_CHANGE
   * subscription is deleted at Amazon with them afterwards (OrderChangeSubscriptions.unsubscribeDue).
   */
  async remove(id: string): Promise<{ id: string; deleted: true }> {
    const account = await this.get(id);
    await this.accounts.manager.transaction(async (manager) => {
      await manager.update(SellerAccount, { id: account.id }, { deletedAt: new Date(), syncEnabled: false, syncRequestedAt: null });
      // A run asked for and not yet started never will: say so rather than leave it queued.
      await manager.query(
        `update sync_runs set status = 'failed', finished_at = now(), errors = errors || '["the account was removed before the run started"]'::jsonb where account_id = $1 and status = 'queued'`,
        [account.id],
      );
    });
    return { id, deleted: true };
  }

  /** For amazon-notifications: endpoints and the secrets, still sealed. */
  async access(id: string): Promise<AccountAccess> {
    const account = await this.get(id);
    return {
      accountId: account.id,
      sellerId: account.sellerId,
      region: account.region,
      apiEndpoint: account.apiEndpoint,
      lwaEndpoint: account.lwaEndpoint,
      lwaClientId: account.lwaClientId,
      encryptedClientSecret: account.encryptedClientSecret,
      encryptedRefreshToken: account.encryptedRefreshToken,
      ordersApi: account.ordersApi,
      marketplaceIds: account.marketplaceIds,
      stockSync: account.stockSync,
      stockBuffer: account.stockBuffer,
      handlingTimeDays: account.handlingTimeDays,
    };
  }

  /** Of these accounts, those not deleted with stock sync on (one query, whatever their number). */
  async stockSyncOn(accountIds: string[]): Promise<StockSyncAccountsView> {
    if (accountIds.length === 0) return { accountIds: [] };
    const rows: { id: string }[] = await this.accounts.query(`select id from seller_accounts where id = any($1::uuid[]) and deleted_at is null and stock_sync`, [accountIds]);
    return { accountIds: rows.map((row) => row.id) };
  }

  spApiAccess(account: SellerAccount): SpApiAccess {
    return {
      accountId: account.id,
      sellerId: account.sellerId,
      region: account.region,
      endpoint: account.apiEndpoint,
      lwaEndpoint: account.lwaEndpoint,
      clientId: account.lwaClientId,
      clientSecret: this.secrets.decrypt(account.encryptedClientSecret, accountSecretContext(account.id, 'clientSecret')),
      refreshToken: this.secrets.decrypt(account.encryptedRefreshToken, accountSecretContext(account.id, 'refreshToken')),
    };
  }

  /** Secrets go to Amazon's hosts of the account's region, or to a base URL the operator allowed. */
  private checkEndpoints(region: Region, endpoints: { apiEndpoint?: string; lwaEndpoint?: string }): void {
    const problems = this.allowedEndpoints.problems(region, endpoints);
    if (problems.length) throw ServiceError.badRequest('Validation failed', problems);
  }

  /**
   * Whoever repoints an account (or names another LWA app) must hold its secrets: otherwise a
   * stolen API key could send the stored refresh token and client secret to a host of its choice.
   */
  private checkSecretsGivenAgain(account: SellerAccount, changes: AccountChangeMessage): void {
    const changed = (['apiEndpoint', 'lwaEndpoint', 'lwaClientId'] as const).filter((field) => changes[field] !== undefined && changes[field] !== account[field]);
    if (!changed.length) return;
    const missing = [...(changes.sealedClientSecret ? [] : ['lwaClientSecret']), ...(changes.sealedRefreshToken ? [] : ['refreshToken'])];
    if (!missing.length) return;
    throw ServiceError.badRequest(
      'Validation failed',
      missing.map((field) => ({ field, errors: [`${field} must be given again when ${changed.join(', ')} changes`] })),
    );
  }

  /** A secret the gateway sealed for us; one that does not open is refused, naming the API field. */
  private openInTransit(sealed: string, context: string, field: string): string {
    try {
      return this.transit.decrypt(sealed, context);
    } catch {
      throw ServiceError.badRequest('Validation failed', [
        { field, errors: [`${field} did not arrive sealed for this account (the gateway and order-ingestion must share CREDENTIALS_TRANSIT_KEY)`] },
      ]);
    }
  }

  /** An account may only enable known marketplaces of its own region. */
  private async checkMarketplaces(region: Region, ids: string[]): Promise<void> {
    const found = await this.marketplaces.findMany(ids);
    const unknown = ids.filter((id) => !found.some((m) => m.marketplaceId === id));
    const foreign = found.filter((m) => m.region !== region).map((m) => `${m.marketplaceId} (${m.region})`);
    const details = [
      ...(unknown.length ? [{ field: 'marketplaceIds', errors: [`unknown marketplaces: ${unknown.join(', ')}`] }] : []),
      ...(foreign.length ? [{ field: 'marketplaceIds', errors: [`not in region ${region}: ${foreign.join(', ')}`] }] : []),
    ];
    if (details.length) throw ServiceError.badRequest('Validation failed', details);
  }
}

export function toView(a: SellerAccount): AccountView {
  return {
    id: a.id,
    name: a.name,
    sellerId: a.sellerId,
    region: a.region,
    lwaClientId: a.lwaClientId,
    marketplaceIds: a.marketplaceIds,
    ordersApi: a.ordersApi,
    apiEndpoint: a.apiEndpoint,
    lwaEndpoint: a.lwaEndpoint,
    syncEnabled: a.syncEnabled,
    syncIntervalSeconds: a.syncIntervalSeconds,
    initialSyncFrom: a.initialSyncFrom.toISOString(),
    defaultProductId: a.defaultProductId,
    lastSyncedUntil: a.lastSyncedUntil?.toISOString() ?? null,
    marketplacesAwaitingBackfill: a.backfillMarketplaceIds,
    stockSync: a.stockSync,
    stockBuffer: a.stockBuffer,
    handlingTimeDays: a.handlingTimeDays,
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}
