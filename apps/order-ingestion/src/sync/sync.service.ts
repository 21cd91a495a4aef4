import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { OrdersApiVersion, Page, SyncRunView } from '@connector/contracts';
import { listPage, SETTINGS } from '@connector/platform';
import { SpApiClient, SpApiClients } from '@connector/sp-api';
import { DataSource, Repository } from 'typeorm';
import { newRowId } from '@connector/persistence';
import { AccountsService } from '../accounts/accounts.service';
import { SellerAccount } from '../accounts/seller-account.entity';
import { OrderIngestionSettings } from '../order-ingestion.settings';
import { MarketplacesService } from '../marketplaces/marketplaces.service';
import { PageOutcome } from '../orders/sales-order-page';
import { AmazonOrderSource, describeError, SyncPass } from './amazon-order-source';
import { OrdersV0Source } from './orders-v0.source';
import { OrdersV2026Source } from './orders-v2026-01-01.source';
import { SyncRun } from './sync-run.entity';

export class LeaseLostError extends Error {}

/**
 * One sync pass over an account: retry quarantined orders, then read every order updated
 * since the cursor (minus the overlap), page by page, and move the cursor only after the
 * last page is committed. A crash re-reads the window; writes are idempotent. The reading
 * is the account's Orders API version's (AmazonOrderSource).
 */
@Injectable()
export class SyncService {
  private readonly logger = new Logger(SyncService.name);

  constructor(
    private readonly dataSource: DataSource,
    @InjectRepository(SyncRun) private readonly runs: Repository<SyncRun>,
    private readonly accounts: AccountsService,
    private readonly marketplaces: MarketplacesService,
    private readonly clients: SpApiClients,
    @Inject(SETTINGS) private readonly settings: OrderIngestionSettings,
    private readonly v0: OrdersV0Source,
    private readonly v2026: OrdersV2026Source,
  ) {}

  /** v0 for accounts that say so; every other account reads v2026-01-01. */
  private sourceFor(version: OrdersApiVersion): AmazonOrderSource {
    return version === OrdersApiVersion.V0 ? this.v0 : this.v2026;
  }

  async run(account: SellerAccount, trigger: SyncRun['trigger'], replica: string, renewLease: () => Promise<boolean>): Promise<SyncRun> {
    const windowFrom = account.lastSyncedUntil
      ? new Date(account.lastSyncedUntil.getTime() - this.settings.SYNC_OVERLAP_SECONDS * 1000)
      : account.initialSyncFrom;
    const run = this.runs.create({
      id: newRowId(),
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
    // Under the lease no other replica runs this account, so a run still marked running was
    // cut short: its replica died (or stalled) and the lease ran out. Say so rather than show it
    // running forever. (A stalled replica that wakes up finds its lease gone and stops.)
    await this.runs.query(
      `update sync_runs set status = 'failed', finished_at = now(), errors = errors || $2::jsonb where account_id = $1 and status = 'running'`,
      [account.id, JSON.stringify([`interrupted: the lease expired before the run ended (its replica stopped); run ${run.id} read the window again`])],
    );
    await this.runs.insert(run);
    let client: SpApiClient | undefined;
    const before = { calls: 0, throttled: 0 };
    try {
      client = this.clients.for(this.accounts.spApiAccess(account));
      before.calls = totalCalls(client);
      before.throttled = client.stats.throttled;
      const marketplaces = new Map((await this.marketplaces.findMany(account.marketplaceIds)).map((m) => [m.marketplaceId, m]));
      const afterPage = async (outcome: PageOutcome) => {
        this.count(run, outcome);
        run.apiCalls = totalCalls(client!) - before.calls;
        run.throttled = client!.stats.throttled - before.throttled;
        await this.runs.save(run);
        if (!(await renewLease())) throw new LeaseLostError('lost the account lease; another replica carries on');
      };
      const source = this.sourceFor(account.ordersApi);
      const pass: SyncPass = { account, client, marketplaces, run, count: (outcome) => this.count(run, outcome), afterPage };
      const read = (from: Date, marketplaceIds: string[]) => source.readUpdatedSince(pass, from, marketplaceIds);
      await source.retryQuarantined(pass);
      await read(windowFrom, account.marketplaceIds);
      // Marketplaces enabled after the cursor had moved: read from the start once. After the
      // incremental read, so new orders of the others do not wait for it. (A first run reads
      // everything from initialSyncFrom anyway.)
      const backfill = account.lastSyncedUntil ? account.backfillMarketplaceIds.filter((id) => account.marketplaceIds.includes(id)) : [];
      if (backfill.length) await read(account.initialSyncFrom, backfill);
      // Every page is committed: only now does the cursor move. The backfills this run did are
      // done; marketplaces enabled while it ran, which it did not read, wait for one.
      await this.dataSource.query(
        `update seller_accounts
            set last_synced_until = $2,
                backfill_marketplace_ids = array(
                  (select unnest(backfill_marketplace_ids) except select unnest($3::text[]))
                  union
                  (select unnest(marketplace_ids) except select unnest($4::text[])))
          where id = $1`,
        [account.id, run.windowTo, account.backfillMarketplaceIds, account.marketplaceIds],
      );
      run.status = 'succeeded';
    } catch (err) {
      run.status = 'failed';
      run.errors = [...run.errors, describeError(err)];
      this.logger.warn(`sync of account ${account.id} failed: ${describeError(err)}`);
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

  private count(run: SyncRun, outcome: PageOutcome): void {
    run.ordersSeen += outcome.seen;
    run.ordersCreated += outcome.created;
    run.ordersUpdated += outcome.updated;
    run.ordersUnchanged += outcome.unchanged;
    run.ordersQuarantined += outcome.quarantined;
  }

  async list(accountId: string, query: { limit?: number; cursor?: string }): Promise<Page<SyncRunView>> {
    await this.accounts.get(accountId);
    // Newest first: a run history is read from its latest end.
    return listPage(this.runs.createQueryBuilder('r').where('r.accountId = :accountId', { accountId }), query, runView, { newestFirst: true });
  }
}

function totalCalls(client: SpApiClient): number {
  return Object.values(client.stats.calls).reduce((sum, n) => sum + n, 0);
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
