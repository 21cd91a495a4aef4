import { Inject, Injectable, Optional } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  AccountAccess,
  AccountChangeMessage,
  accountTransitContext,
  AccountView,
  AlertKind,
  CreateAccountMessage,
  FieldError,
  ImportAccountsMessage,
  ImportedAccountsView,
  ListAccountsRequest,
  OrderNotificationsStatus,
  OrdersApiVersion,
  Page,
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

/** The sync state of an account just made (by hand or by a link with Amazon): nothing synced, due at once, no lease, no outage back-off carried over. */
export function newAccountSyncState(): Pick<SellerAccount, 'lastSyncedUntil' | 'lastSyncSucceededAt' | 'backfillMarketplaceIds' | 'nextSyncAt' | 'syncRequestedAt' | 'leaseOwner' | 'leaseExpiresAt' | 'deletedAt' | 'outageRuns'> {
  return { lastSyncedUntil: null, lastSyncSucceededAt: null, backfillMarketplaceIds: [], nextSyncAt: new Date(), syncRequestedAt: null, leaseOwner: null, leaseExpiresAt: null, deletedAt: null, outageRuns: 0 };
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
    const duplicate = await this.accounts.findOneBy({ sellerId: request.sellerId, region: request.region, deletedAt: IsNull() });
    if (duplicate) throw ServiceError.conflict(`seller ${request.sellerId} in ${request.region} is already account ${duplicate.id}`);
    const account = this.newAccount(request, this.openSecrets(request), new Date());
    try {
      // The insert fills createdAt and updatedAt from PostgreSQL (RETURNING): no read of the row again.
      await this.accounts.insert(account);
    } catch (err) {
      // Another request added the seller between the look-up and the insert.
      if (isSellerTaken(err)) throw ServiceError.conflict(`seller ${request.sellerId} in ${request.region} is already an account`);
      throw err;
    }
    return toView(account);
  }

  /**
   * Many accounts at once (POST /api/v1/accounts/import): every account is checked first, as
   * create checks one, and every problem is named by the account's index (`accounts.2.sellerId`);
   * a seller twice in the import is a 400, one that already is an account a 409; then all are
   * inserted in one transaction, or none. Their first syncs are spread (firstSyncOffsetsMs).
   */
  async import(request: ImportAccountsMessage): Promise<ImportedAccountsView> {
    const items = request.accounts;
    // Every marketplace of the import in one query; the checks below then read the cache.
    await this.marketplaces.findMany([...new Set(items.flatMap((item) => item.marketplaceIds))]);
    const problems: FieldError[] = [];
    const opened: OpenedSecrets[] = [];
    const firstIndexOf = new Map<string, number>();
    for (const [index, item] of items.entries()) {
      const of = (found: FieldError[]) => found.map((p) => ({ field: `accounts.${index}.${p.field}`, errors: p.errors }));
      problems.push(...of(this.allowedEndpoints.problems(item.region, item)), ...of(await this.marketplaceProblems(item.region, item.marketplaceIds)));
      const seller = `${item.region}/${item.sellerId}`;
      const first = firstIndexOf.get(seller);
      if (first !== undefined) problems.push({ field: `accounts.${index}.sellerId`, errors: [`seller ${item.sellerId} in ${item.region} is accounts.${first} of this import already`] });
      else firstIndexOf.set(seller, index);
      try {
        opened.push(this.openSecrets(item));
      } catch (err) {
        if (!(err instanceof ServiceError)) throw err;
        problems.push(...of((err.body.details as FieldError[] | undefined) ?? []));
      }
    }
    if (problems.length) throw ServiceError.badRequest('Validation failed', problems);
    await this.refuseExisting(items);
    const now = Date.now();
    const offsets = firstSyncOffsetsMs(
      items.map((item) => ({ intervalSeconds: item.syncIntervalSeconds ?? DEFAULT_SYNC_INTERVAL_SECONDS, syncEnabled: item.syncEnabled ?? true })),
      this.settings?.SYNC_TICK_SECONDS ?? DEFAULT_SYNC_TICK_SECONDS,
    );
    // An account with its sync off is due now as a single create's (the scheduler skips it until it is turned on).
    const rows = items.map((item, index) => this.newAccount(item, opened[index], new Date(now + (offsets[index] ?? 0))));
    try {
      await this.accounts.manager.transaction(async (manager) => {
        await manager.insert(SellerAccount, rows);
      });
    } catch (err) {
      if (!isSellerTaken(err)) throw err;
      // Another request added one of the sellers meanwhile: name it as the check would have.
      await this.refuseExisting(items);
      throw ServiceError.conflict('a seller of this import was added by another request meanwhile; nothing was created');
    }
    return {
      created: rows.length,
      accounts: rows.map((row, index) => ({ index, id: row.id, name: row.name, sellerId: row.sellerId, region: row.region, firstSyncAt: row.syncEnabled ? row.nextSyncAt!.toISOString() : null })),
    };
  }

  /** 409 naming each account of the import whose seller already is an account (in its region), by index. */
  private async refuseExisting(items: CreateAccountMessage[]): Promise<void> {
    const existing: { id: string; seller_id: string; region: string }[] = await this.accounts.manager.query(
      `select a.id, a.seller_id, a.region from seller_accounts a
         join unnest($1::text[], $2::text[]) as wanted(seller_id, region) on a.seller_id = wanted.seller_id and a.region = wanted.region
        where a.deleted_at is null`,
      [items.map((item) => item.sellerId), items.map((item) => item.region)],
    );
    if (!existing.length) return;
    const idOf = new Map(existing.map((row) => [`${row.region}/${row.seller_id}`, row.id]));
    const details = items.flatMap((item, index) => {
      const id = idOf.get(`${item.region}/${item.sellerId}`);
      return id ? [{ field: `accounts.${index}.sellerId`, errors: [`seller ${item.sellerId} in ${item.region} is already account ${id}`] }] : [];
    });
    throw ServiceError.conflict(`${details.length} of the ${items.length} sellers already have an account; nothing was created`, details);
  }

  /** The secrets as the gateway sealed them for this new account; one that does not open is refused, naming its field. */
  private openSecrets(request: CreateAccountMessage): OpenedSecrets {
    const problems: FieldError[] = [];
    const open = (sealed: string, field: 'lwaClientSecret' | 'refreshToken', context: string): string => {
      try {
        return this.openInTransit(sealed, context, field);
      } catch (err) {
        if (!(err instanceof ServiceError)) throw err;
        problems.push(...((err.body.details as FieldError[] | undefined) ?? []));
        return '';
      }
    };
    const clientSecret = open(request.sealedClientSecret, 'lwaClientSecret', accountTransitContext(request, 'clientSecret'));
    const refreshToken = open(request.sealedRefreshToken, 'refreshToken', accountTransitContext(request, 'refreshToken'));
    if (problems.length) throw ServiceError.badRequest('Validation failed', problems);
    return { clientSecret, refreshToken };
  }

  /** The row of a new account, its secrets sealed at rest for its id, its first sync due at `firstSyncAt`. */
  private newAccount(request: CreateAccountMessage, secrets: OpenedSecrets, firstSyncAt: Date): SellerAccount {
    const id = newRowId();
    const endpoints = REGION_ENDPOINTS[request.region];
    return this.accounts.create({
      id,
      name: request.name,
      sellerId: request.sellerId,
      region: request.region,
      lwaClientId: request.lwaClientId,
      encryptedClientSecret: this.secrets.encrypt(secrets.clientSecret, accountSecretContext(id, 'clientSecret')),
      encryptedRefreshToken: this.secrets.encrypt(secrets.refreshToken, accountSecretContext(id, 'refreshToken')),
      marketplaceIds: request.marketplaceIds,
      ordersApi: request.ordersApi ?? OrdersApiVersion.V2026,
      apiEndpoint: request.apiEndpoint ?? endpoints.apiEndpoint,
      lwaEndpoint: request.lwaEndpoint ?? endpoints.lwaEndpoint,
      syncEnabled: request.syncEnabled ?? true,
      syncIntervalSeconds: request.syncIntervalSeconds ?? DEFAULT_SYNC_INTERVAL_SECONDS,
      initialSyncFrom: request.initialSyncFrom ? new Date(request.initialSyncFrom) : new Date(Date.now() - DEFAULT_BACKFILL_DAYS * 86400_000),
      defaultProductId: request.defaultProductId ?? null,
      stockSync: request.stockSync ?? false,
      stockBuffer: request.stockBuffer ?? 0,
      handlingTimeDays: request.handlingTimeDays ?? null,
      ...newAccountSyncState(),
      nextSyncAt: firstSyncAt,
    });
  }

  async list(query: ListAccountsRequest): Promise<Page<AccountView>> {
    const accounts = this.accounts.createQueryBuilder('a').where('a.deletedAt IS NULL');
    // The same lag and refusal as the metrics count (SyncMetrics): an alert's accounts, by name.
    if (query.syncLagOverSeconds !== undefined) {
      accounts.andWhere('a.syncEnabled').andWhere(`coalesce(a.lastSyncedUntil, a.initialSyncFrom) < now() - make_interval(secs => :lag)`, { lag: query.syncLagOverSeconds });
    }
    if (query.credentialsRefused !== undefined) {
      const refused = `exists (select 1 from alert_episodes e where e.kind = :refusedKind and e.subject = a.id::text)`;
      accounts.andWhere(query.credentialsRefused ? refused : `not ${refused}`, { refusedKind: AlertKind.CredentialsRefused });
    }
    const page = await listPage(accounts, query, toView);
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
    const details = await this.marketplaceProblems(region, ids);
    if (details.length) throw ServiceError.badRequest('Validation failed', details);
  }

  private async marketplaceProblems(region: Region, ids: string[]): Promise<FieldError[]> {
    const found = await this.marketplaces.findMany(ids);
    const unknown = ids.filter((id) => !found.some((m) => m.marketplaceId === id));
    const foreign = found.filter((m) => m.region !== region).map((m) => `${m.marketplaceId} (${m.region})`);
    return [
      ...(unknown.length ? [{ field: 'marketplaceIds', errors: [`unknown marketplaces: ${unknown.join(', ')}`] }] : []),
      ...(foreign.length ? [{ field: 'marketplaceIds', errors: [`not in region ${region}: ${foreign.join(', ')}`] }] : []),
    ];
  }
}

/** An account's sync interval when its request names none. */
export const DEFAULT_SYNC_INTERVAL_SECONDS = 300;

/** First syncs of an import that fall due at once: the scheduler's batch (TICK_BATCH), one claim. */
export const FIRST_SYNCS_AT_ONCE = 20;

/** The longest an import's first syncs are spread over (and never beyond an account's interval). */
export const FIRST_SYNCS_SPREAD_MAX_SECONDS = 300;

/** SYNC_TICK_SECONDS's default, for a service built without settings (tests). */
const DEFAULT_SYNC_TICK_SECONDS = 2;

/**
 * When each account of an import first falls due, after now (null: its sync is off, no slot): the
 * sync-enabled accounts in groups of FIRST_SYNCS_AT_ONCE, one scheduler tick apart, so each tick
 * claims one batch rather than all of the import at once. The whole spread is at most
 * FIRST_SYNCS_SPREAD_MAX_SECONDS and at most the account's interval (the groups then come closer
 * together), so an import waits no longer than needed, and the SyncStalled margin (interval +
 * ALERT_SYNC_STALLED_MINUTES from creation) loses at most the spread, never the whole interval.
 */
export function firstSyncOffsetsMs(accounts: { intervalSeconds: number; syncEnabled: boolean }[], tickSeconds: number): (number | null)[] {
  const groups = Math.ceil(accounts.filter((a) => a.syncEnabled).length / FIRST_SYNCS_AT_ONCE);
  let slot = 0;
  return accounts.map((account) => {
    if (!account.syncEnabled) return null;
    const group = Math.floor(slot++ / FIRST_SYNCS_AT_ONCE);
    const spreadMs = Math.min(account.intervalSeconds, FIRST_SYNCS_SPREAD_MAX_SECONDS) * 1000;
    return Math.floor(group * Math.min(tickSeconds * 1000, spreadMs / groups));
  });
}

interface OpenedSecrets {
  clientSecret: string;
  refreshToken: string;
}

/** The unique index of live accounts per seller and region refused an insert. */
function isSellerTaken(err: unknown): boolean {
  const driverError = (err as { driverError?: { code?: string; constraint?: string } }).driverError;
  return driverError?.code === '23505' && driverError.constraint === 'seller_accounts_seller';
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
