import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { OrdersApiVersion, Page, SyncRunView } from '@connector/contracts';
import { InvalidCursorError, pageOf } from '@connector/persistence';
import { SETTINGS, ServiceError } from '@connector/platform';
import { AmazonOrder, getOrder, searchOrders, SpApiClient, SpApiClients, SpApiError } from '@connector/sp-api';
import { DataSource, IsNull, Repository } from 'typeorm';
import { AccountsService } from '../accounts/accounts.service';
import { SellerAccount } from '../accounts/seller-account.entity';
import { IngestionSettings } from '../ingestion.settings';
import { Marketplace } from '../marketplaces/marketplace.entity';
import { MarketplacesService } from '../marketplaces/marketplaces.service';
import { QuarantinedOrder } from '../orders/quarantined-order.entity';
import { PageOutcome, SalesOrderWriter } from '../orders/sales-order-writer';
import { SyncRun } from './sync-run.entity';

/** Amazon hides changes of the last two minutes; our window never reaches past that. */
const AMAZON_VISIBILITY_DELAY_MS = 120_000;
const QUARANTINE_RETRIES_PER_RUN = 100;

export class LeaseLostError extends Error {}

/**
 * One sync pass over an account: retry quarantined orders, then read every order updated
 * since the cursor (minus the overlap), page by page, and move the cursor only after the
 * last page is committed. A crash re-reads the window; writes are idempotent.
 */
@Injectable()
export class SyncService {
  private readonly logger = new Logger(SyncService.name);

  constructor(
    private readonly dataSource: DataSource,
    @InjectRepository(SyncRun) private readonly runs: Repository<SyncRun>,
    private readonly accounts: AccountsService,
    private readonly marketplaces: MarketplacesService,
    private readonly writer: SalesOrderWriter,
    private readonly clients: SpApiClients,
    @Inject(SETTINGS) private readonly settings: IngestionSettings,
  ) {}

  async run(account: SellerAccount, trigger: SyncRun['trigger'], replica: string, renewLease: () => Promise<boolean>): Promise<SyncRun> {
    const windowFrom = account.lastSyncedUntil
      ? new Date(account.lastSyncedUntil.getTime() - this.settings.SYNC_OVERLAP_SECONDS * 1000)
      : account.initialSyncFrom;
    const run = this.runs.create({
      id: randomUUID(),
      accountId: account.id,
      trigger,
      status: 'running',
      replica,
      createdAt: new Date(),
      finishedAt: null,
      windowFrom,
      windowTo: null,
      ordersSeen: 0,
      ordersCreated: 0,
      ordersUpdated: 0,
      ordersUnchanged: 0,
      ordersQuarantined: 0,
      apiCalls: 0,
      throttled: 0,
      errors: [],
    });
    await this.runs.insert(run);
    let client: SpApiClient | undefined;
    const before = { calls: 0, throttled: 0 };
    try {
      client = this.clients.for(this.accounts.spApiAccess(account));
      before.calls = totalCalls(client);
      before.throttled = client.stats.throttled;
      const marketplaces = new Map((await this.marketplaces.findMany(account.marketplaceIds)).map((m) => [m.marketplaceId, m]));
      if (account.ordersApi === OrdersApiVersion.V0) throw new Error('the v0 Orders API is not supported by this version of the connector');
      await this.retryQuarantined(account, client, marketplaces, run);
      let paginationToken: string | undefined;
      do {
        const page = await searchOrders(client, {
          lastUpdatedAfter: windowFrom.toISOString(),
          marketplaceIds: account.marketplaceIds,
          paginationToken,
        });
        run.windowTo ??= page.lastUpdatedBefore ? new Date(page.lastUpdatedBefore) : new Date(Date.now() - AMAZON_VISIBILITY_DELAY_MS);
        const outcome = await this.writer.writePage(account, page.orders ?? [], marketplaces);
        this.count(run, outcome);
        run.apiCalls = totalCalls(client) - before.calls;
        run.throttled = client.stats.throttled - before.throttled;
        await this.runs.save(run);
        if (!(await renewLease())) throw new LeaseLostError('lost the account lease; another replica carries on');
        paginationToken = page.pagination?.nextToken;
      } while (paginationToken);
      // Every page is committed: only now does the cursor move.
      await this.dataSource.getRepository(SellerAccount).update({ id: account.id }, { lastSyncedUntil: run.windowTo });
      run.status = 'succeeded';
    } catch (err) {
      run.status = 'failed';
      run.errors = [...run.errors, describe(err)];
      this.logger.warn(`sync of account ${account.id} failed: ${describe(err)}`);
    } finally {
      if (client) {
        run.apiCalls = totalCalls(client) - before.calls;
        run.throttled = client.stats.throttled - before.throttled;
      }
      run.finishedAt = new Date();
      await this.runs.save(run);
    }
    return run;
  }

  /** Quarantined orders are fetched again (one getOrder each) until they map. */
  private async retryQuarantined(account: SellerAccount, client: SpApiClient, marketplaces: Map<string, Marketplace>, run: SyncRun): Promise<void> {
    const pending = await this.dataSource.getRepository(QuarantinedOrder).find({
      where: { accountId: account.id, resolvedAt: IsNull() },
      order: { lastAttemptAt: 'ASC' },
      take: QUARANTINE_RETRIES_PER_RUN,
    });
    if (pending.length === 0) return;
    const fetched: AmazonOrder[] = [];
    for (const quarantined of pending) {
      try {
        fetched.push(await getOrder(client, quarantined.amazonOrderId));
      } catch (err) {
        if (!(err instanceof SpApiError) || err.retriable) throw err;
        await this.dataSource.transaction((manager) =>
          this.writer.quarantine(manager, account, { orderId: quarantined.amazonOrderId, salesChannel: { marketplaceId: quarantined.marketplaceId } } as AmazonOrder, describe(err)),
        );
      }
    }
    if (fetched.length) this.count(run, await this.writer.writePage(account, fetched, marketplaces));
  }

  private count(run: SyncRun, outcome: PageOutcome): void {
    run.ordersSeen += outcome.seen;
    run.ordersCreated += outcome.created;
    run.ordersUpdated += outcome.updated;
    run.ordersUnchanged += outcome.unchanged;
    run.ordersQuarantined += outcome.quarantined;
  }

  async list(accountId: string, query: { limit?: number; cursor?: string }): Promise<Page<SyncRunView>> {
    await this.accounts.get(accountId);
    try {
      return await pageOf(this.runs.createQueryBuilder('r').where('r.accountId = :accountId', { accountId }), 'r', query, runView);
    } catch (err) {
      if (err instanceof InvalidCursorError) throw ServiceError.badRequest(err.message);
      throw err;
    }
  }
}

function totalCalls(client: SpApiClient): number {
  return Object.values(client.stats.calls).reduce((sum, n) => sum + n, 0);
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function runView(run: SyncRun): SyncRunView {
  return {
    id: run.id,
    accountId: run.accountId,
    trigger: run.trigger,
    status: run.status,
    startedAt: run.createdAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
    windowFrom: run.windowFrom.toISOString(),
    windowTo: run.windowTo?.toISOString() ?? null,
    ordersSeen: run.ordersSeen,
    ordersCreated: run.ordersCreated,
    ordersUpdated: run.ordersUpdated,
    ordersUnchanged: run.ordersUnchanged,
    ordersQuarantined: run.ordersQuarantined,
    apiCalls: run.apiCalls,
    throttled: run.throttled,
    errors: run.errors,
  };
}
