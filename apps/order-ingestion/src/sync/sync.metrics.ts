import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { boundedQuery, counter, DURATION_BUCKETS, histogram, ScrapeTimeGauges } from '@connector/platform';
import { DataSource } from 'typeorm';
import type { PageOutcome } from '../orders/sales-order-page';
import type { SyncRun } from './sync-run.entity';

export const ordersSynced = counter({
  name: 'connector_orders_synced_total',
  help: 'Amazon orders written by the sync (counted once their page committed), by account and result: created, updated, unchanged (read again, nothing new)',
  labelNames: ['account_id', 'result'],
});

export const ordersQuarantined = counter({
  name: 'connector_orders_quarantined_total',
  help: 'Amazon orders a sync page quarantined (could not map them), by account; a quarantined order retried and refused again counts again',
  labelNames: ['account_id'],
});

export const syncRuns = counter({
  name: 'connector_sync_runs_total',
  help: 'Sync runs ended, by account and outcome (succeeded, failed)',
  labelNames: ['account_id', 'outcome'],
});

export const syncRunDuration = histogram({
  name: 'connector_sync_run_duration_seconds',
  help: 'Time a sync run ran (from its start, not its request: the wait in the queue is connector_sync_run_queue_wait_seconds), by outcome',
  labelNames: ['outcome'],
  buckets: DURATION_BUCKETS,
});

export const syncRunQueueWait = histogram({
  name: 'connector_sync_run_queue_wait_seconds',
  help: 'Time a sync run waited between its request and its start (another run of the account, or no free lease)',
  buckets: DURATION_BUCKETS,
});

/** A committed page's orders, into the counters. */
export function countSyncedOrders(accountId: string, outcome: PageOutcome): void {
  if (outcome.created) ordersSynced.inc({ account_id: accountId, result: 'created' }, outcome.created);
  if (outcome.updated) ordersSynced.inc({ account_id: accountId, result: 'updated' }, outcome.updated);
  if (outcome.unchanged) ordersSynced.inc({ account_id: accountId, result: 'unchanged' }, outcome.unchanged);
  if (outcome.quarantined) ordersQuarantined.inc({ account_id: accountId }, outcome.quarantined);
}

/**
 * A run that ended, into the counters. Its duration runs from its start: a queued run's
 * createdAt is when it was asked for, and the wait before it started is not the run's work. A run
 * that never started (failed in the queue) has no duration.
 */
export function countSyncRun(run: Pick<SyncRun, 'accountId' | 'status' | 'createdAt' | 'startedAt' | 'finishedAt'>): void {
  const outcome = run.status === 'succeeded' ? 'succeeded' : 'failed';
  syncRuns.inc({ account_id: run.accountId, outcome });
  if (run.startedAt) syncRunDuration.observe({ outcome }, secondsBetween(run.startedAt, run.finishedAt ?? new Date()));
}

/** A run that started: how long it waited for that since it was asked for. */
export function countSyncRunStart(run: Pick<SyncRun, 'createdAt' | 'startedAt'>): void {
  if (run.startedAt) syncRunQueueWait.observe(secondsBetween(run.createdAt, run.startedAt));
}

function secondsBetween(from: Date, to: Date): number {
  return Math.max(0, (to.getTime() - from.getTime()) / 1000);
}

interface SyncReading {
  lag: { account_id: string; lag: number }[];
  quarantined: { account_id: string; n: number }[];
}

/**
 * Read at scrape time (every replica reports every account alike: take the max by account):
 * how far behind Amazon each account with sync on is, now minus its cursor (the end of the window
 * its last successful run read; before a first one, its initialSyncFrom), and its quarantined
 * orders still unresolved.
 */
@Injectable()
export class SyncMetrics implements OnModuleInit, OnApplicationShutdown {
  private gauges?: ScrapeTimeGauges<SyncReading>;

  constructor(private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    this.gauges = new ScrapeTimeGauges<SyncReading>(
      'sync',
      async () => ({
        lag: await boundedQuery(
          this.dataSource,
          `select id as account_id, extract(epoch from now() - coalesce(last_synced_until, initial_sync_from))::float8 as lag
             from seller_accounts where sync_enabled and deleted_at is null`,
        ),
        quarantined: await boundedQuery(
          this.dataSource,
          `select account_id, count(*)::int as n from quarantined_orders where resolved_at is null group by account_id`,
        ),
      }),
      [
        {
          name: 'connector_sync_lag_seconds',
          help: "Now minus the account's sync cursor (the newest point up to which every change of Amazon's is in), by account with sync on",
          labelNames: ['account_id'],
          samples: (r) => r.lag.map((row) => ({ labels: { account_id: row.account_id }, value: Math.max(0, row.lag) })),
        },
        {
          name: 'connector_quarantined_orders',
          help: 'Quarantined Amazon orders not yet resolved (retried each run), by account',
          labelNames: ['account_id'],
          samples: (r) => r.quarantined.map((row) => ({ labels: { account_id: row.account_id }, value: row.n })),
        },
      ],
    );
  }

  onApplicationShutdown(): void {
    this.gauges?.remove();
  }
}
