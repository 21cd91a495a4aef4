import { Inject, Injectable, Logger } from '@nestjs/common';
import { AccountMarketplacesView, AccountMarketplaceView } from '@connector/contracts';
import { SETTINGS, ServiceError } from '@connector/platform';
import { AmazonEndpoints, AmazonQuotas, getMarketplaceParticipations, isCredentialsRefused, MarketplaceParticipation as AmazonParticipation, SpApiClients, SpApiError } from '@connector/sp-api';
import { returnedRows } from '@connector/workers';
import { DataSource, EntityManager } from 'typeorm';
import { AccountsService } from '../accounts/accounts.service';
import { SellerAccount } from '../accounts/seller-account.entity';
import { MarketplacesService } from '../marketplaces/marketplaces.service';
import { OrderIngestionSettings } from '../order-ingestion.settings';
import { MarketplaceParticipation, MarketplaceRefresh } from './marketplace-participation.entity';

/** After a failed refresh, the next try (Amazon allows one call a minute once the burst is spent). */
const RETRY_AFTER_FAILURE_MS = 15 * 60_000;

/**
 * The marketplaces of each account as Amazon's Sellers API names them, kept up to date. Its own
 * SP-API clients (paced per account like every client): getMarketplaceParticipations is called
 * from here only, and a sync run's counts of calls stay the run's own.
 */
@Injectable()
export class ParticipationsService {
  private readonly logger = new Logger('Participations');
  private readonly clients: SpApiClients;

  constructor(
    private readonly dataSource: DataSource,
    private readonly accounts: AccountsService,
    private readonly marketplaces: MarketplacesService,
    @Inject(AmazonEndpoints) endpoints: AmazonEndpoints,
    @Inject(SETTINGS) private readonly settings: OrderIngestionSettings,
    quotas: AmazonQuotas,
  ) {
    this.clients = new SpApiClients({ endpoints, rateScale: settings.SPAPI_RATE_SCALE, maxRetries: settings.SPAPI_RETRIES, quotas });
  }

  /** Asks Amazon now and stores the answer; Amazon's failure is answered as 429/503 with why (and recorded). */
  async refresh(accountId: string): Promise<AccountMarketplacesView> {
    const account = await this.accounts.get(accountId);
    try {
      await this.refreshAccount(account);
    } catch (err) {
      if (!(err instanceof SpApiError)) throw err;
      await this.failed(account.id, err);
      if (err.status === 429) throw new ServiceError({ statusCode: 429, error: 'Too Many Requests', message: `Amazon throttles getMarketplaceParticipations for this account; try again in a minute (${describe(err)})` });
      throw new ServiceError({ statusCode: 503, error: 'Service Unavailable', message: `Amazon's Sellers API did not answer: ${describe(err)}` });
    }
    return this.view(account.id);
  }

  /** One account's refresh: one getMarketplaceParticipations, then its rows in one transaction. Throws Amazon's error. */
  async refreshAccount(account: SellerAccount): Promise<void> {
    const client = this.clients.for(this.accounts.spApiAccess(account));
    const answer = await getMarketplaceParticipations(client);
    await this.dataSource.transaction(async (manager) => {
      await this.store(manager, account.id, answer);
      const refresh = await manager.findOne(MarketplaceRefresh, { where: { accountId: account.id }, lock: { mode: 'pessimistic_write' } });
      if (refresh?.enableDiscovered) await this.enableDiscovered(manager, account.id, answer, refresh.syncDiscovered);
      await manager.upsert(
        MarketplaceRefresh,
        { accountId: account.id, dueAt: new Date(Date.now() + this.settings.MARKETPLACE_REFRESH_HOURS * 3600_000), refreshedAt: new Date(), lastError: null, enableDiscovered: false },
        ['accountId'],
      );
    });
  }

  /** A failed refresh is tried again later; the account's view says why. */
  async failed(accountId: string, err: unknown): Promise<void> {
    const reason = err instanceof SpApiError ? describe(err) : String((err as Error)?.message ?? err).slice(0, 300);
    this.logger.warn(`marketplaces of account ${accountId} not refreshed: ${reason}`);
    await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(MarketplaceRefresh)
      .values({ accountId, dueAt: new Date(Date.now() + Math.min(RETRY_AFTER_FAILURE_MS, this.settings.MARKETPLACE_REFRESH_HOURS * 3600_000)), lastError: reason, enableDiscovered: false })
      .orUpdate(['due_at', 'last_error'], ['account_id'])
      .execute();
  }

  /** Amazon's answer replaces what was stored: marketplaces it no longer names go. */
  private async store(manager: EntityManager, accountId: string, answer: AmazonParticipation[]): Promise<void> {
    const now = new Date();
    const ids = answer.map((p) => p.marketplace.id);
    await manager.query(`delete from marketplace_participations where account_id = $1 and not (marketplace_id = any($2::text[]))`, [accountId, ids]);
    for (const p of answer) {
      await manager
        .createQueryBuilder()
        .insert()
        .into(MarketplaceParticipation)
        .values({
          accountId,
          marketplaceId: p.marketplace.id,
          countryCode: p.marketplace.countryCode,
          name: p.marketplace.name,
          currency: p.marketplace.defaultCurrencyCode ?? '',
          language: p.marketplace.defaultLanguageCode ?? '',
          domain: p.marketplace.domainName ?? '',
          storeName: p.storeName ?? '',
          isParticipating: p.participation.isParticipating,
          hasSuspendedListings: p.participation.hasSuspendedListings,
          firstSeenAt: now,
          updatedAt: now,
        })
        .orUpdate(['country_code', 'name', 'currency', 'language', 'domain', 'store_name', 'is_participating', 'has_suspended_listings', 'updated_at'], ['account_id', 'marketplace_id'])
        .execute();
    }
  }

  /**
   * A newly linked account starts with the marketplaces the seller is active in (and known to the
   * connector in the account's region), and its sync on unless no seller was expected (then an
   * admin turns it on). Later answers only show new ones: enabling one is the seller's call (PATCH
   * marketplaceIds), since its orders then come into the books.
   */
  private async enableDiscovered(manager: EntityManager, accountId: string, answer: AmazonParticipation[], startSync: boolean): Promise<void> {
    const account = await manager.findOne(SellerAccount, { where: { id: accountId }, lock: { mode: 'pessimistic_write' } });
    if (!account || account.marketplaceIds.length) return;
    const active = answer.filter((p) => p.participation.isParticipating).map((p) => p.marketplace.id);
    const known = (await this.marketplaces.findMany(active)).filter((m) => m.region === account.region).map((m) => m.marketplaceId);
    const enabled = active.filter((id) => known.includes(id));
    if (!enabled.length) return;
    await manager.update(SellerAccount, { id: accountId }, { marketplaceIds: enabled, syncEnabled: startSync, nextSyncAt: new Date() });
    this.logger.log(`account ${accountId}: marketplaces ${enabled.join(', ')} enabled, as the seller is active there${startSync ? '' : '; its sync waits for an admin (PATCH syncEnabled), as no seller was expected'}`);
  }

  async view(accountId: string): Promise<AccountMarketplacesView> {
    const account = await this.accounts.get(accountId);
    const [rows, refresh] = await Promise.all([
      this.dataSource.getRepository(MarketplaceParticipation).find({ where: { accountId: account.id }, order: { countryCode: 'ASC', marketplaceId: 'ASC' } }),
      this.dataSource.getRepository(MarketplaceRefresh).findOneBy({ accountId: account.id }),
    ]);
    const known = new Set((await this.marketplaces.findMany(rows.map((r) => r.marketplaceId))).filter((m) => m.region === account.region).map((m) => m.marketplaceId));
    const items: AccountMarketplaceView[] = rows.map((r) => ({
      marketplaceId: r.marketplaceId,
      countryCode: r.countryCode,
      name: r.name,
      currency: r.currency,
      domain: r.domain,
      storeName: r.storeName,
      active: r.isParticipating,
      isParticipating: r.isParticipating,
      hasSuspendedListings: r.hasSuspendedListings,
      enabled: account.marketplaceIds.includes(r.marketplaceId),
      known: known.has(r.marketplaceId),
      firstSeenAt: r.firstSeenAt.toISOString(),
    }));
    return {
      accountId: account.id,
      items,
      refreshedAt: refresh?.refreshedAt?.toISOString() ?? null,
      nextRefreshAt: refresh?.dueAt?.toISOString() ?? null,
      lastError: refresh?.lastError ?? null,
    };
  }

  /** Accounts due (new ones included), each taken by one replica for a while (its claim pushes due_at on). */
  async claimDue(limit: number, claimMs: number): Promise<string[]> {
    await this.dataSource.query(
      `insert into marketplace_refreshes (account_id, due_at) select id, now() from seller_accounts where deleted_at is null on conflict do nothing`,
    );
    const result: unknown = await this.dataSource.query(
      `update marketplace_refreshes r set due_at = now() + make_interval(secs => $2)
        where r.account_id in (
          select m.account_id from marketplace_refreshes m join seller_accounts a on a.id = m.account_id
           where m.due_at <= now() and a.deleted_at is null
           order by m.due_at limit $1 for update of m skip locked)
        returning r.account_id`,
      [limit, claimMs / 1000],
    );
    return returnedRows(result).map((row) => String(row.account_id));
  }

  /** Refreshes due accounts one after another (each paced by its own client); failures are recorded and tried later. */
  async refreshDue(): Promise<number> {
    const ids = await this.claimDue(PARTICIPATIONS_BATCH, 10 * 60_000);
    for (const id of ids) {
      try {
        await this.refreshAccount(await this.accounts.get(id));
      } catch (err) {
        if (err instanceof ServiceError && err.body.statusCode === 404) continue;
        await this.failed(id, err);
      }
    }
    return ids.length;
  }
}

/** Accounts claimed (and refreshed) at a time. */
export const PARTICIPATIONS_BATCH = 20;

function describe(err: SpApiError): string {
  if (isCredentialsRefused(err as unknown)) return `Amazon refused the account's credentials (${err.code}): link it again`;
  return `${err.status || 'network'} ${err.code}: ${err.message.slice(0, 200)}`;
}
