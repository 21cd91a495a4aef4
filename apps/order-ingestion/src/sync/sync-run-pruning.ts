import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SETTINGS } from '@connector/platform';
import { housekeeping, PeriodicWorker, returnedRows } from '@connector/workers';
import { DataSource } from 'typeorm';
import { OrderIngestionSettings } from '../order-ingestion.settings';

/** Accounts looked at per statement, and runs deleted per statement at most: short statements, short locks. */
const ACCOUNTS_PER_BATCH = 200;
const RUNS_PER_DELETE = 5000;

/**
 * Deletes old sync runs, hourly (SYNC_RUNS_PRUNE_INTERVAL_SECONDS; one replica at a time): a run goes once it is older than
 * SYNC_RUNS_KEEP_DAYS and its account has SYNC_RUNS_KEEP_PER_ACCOUNT newer ones. One row per run,
 * kept for good, would grow with time rather than with orders (about 650 bytes a run: 300 MiB per
 * account-year at a 60 s interval). What health and the stall alert need is on the account
 * (last_sync_succeeded_at), not in the history.
 */
@Injectable()
export class SyncRunPruning implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SyncRunPruning.name);
  private readonly pruning: PeriodicWorker;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(SETTINGS) private readonly settings: OrderIngestionSettings,
  ) {
    this.pruning = housekeeping('sync run pruning', () => this.dataSource, () => this.prune(), (message) => this.logger.warn(message), settings.SYNC_RUNS_PRUNE_INTERVAL_SECONDS * 1000);
  }

  onApplicationBootstrap(): void {
    this.pruning.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pruning.stop();
  }

  /** One pass over every account (deleted ones too), a batch of accounts at a time; answers the runs deleted. */
  async prune(): Promise<number> {
    let deleted = 0;
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const accounts: { id: string }[] = await this.dataSource.query(`select id from seller_accounts where id > $1 order by id limit $2`, [after, ACCOUNTS_PER_BATCH]);
      if (accounts.length === 0) return deleted;
      after = accounts[accounts.length - 1].id;
      for (;;) {
        // The account's Nth newest run bounds what goes; an account with fewer keeps them all.
        const gone = returnedRows(
          await this.dataSource.query(
            `delete from sync_runs where id in (
               select r.id from unnest($1::uuid[]) a(id)
                 cross join lateral (select k.created_at from sync_runs k where k.account_id = a.id order by k.created_at desc, k.id desc offset $2 limit 1) nth
                 join sync_runs r on r.account_id = a.id and r.created_at < nth.created_at
                where r.created_at < now() - make_interval(secs => $3) and r.status in ('succeeded', 'failed')
                limit $4)
             returning id`,
            [accounts.map((a) => a.id), this.settings.SYNC_RUNS_KEEP_PER_ACCOUNT - 1, this.settings.SYNC_RUNS_KEEP_DAYS * 86400, RUNS_PER_DELETE],
          ),
        ).length;
        deleted += gone;
        if (gone < RUNS_PER_DELETE) break;
      }
    }
  }
}
