import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { AlertKind } from '@connector/contracts';
import { boundedQuery, counter, DURATION_BUCKETS, histogram, removeSeries, ScrapeTimeGauges } from '@connector/platform';
import { SpApiClients } from '@connector/sp-api';
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
  accounts: { account_id: string; refused: boolean }[];
}

/** The per-account series this process counts: those of an account deleted go at the next scrape. */
const ACCOUNT_COUNTERS = [ordersSynced, ordersQuarantined, syncRuns];

/**
 * Read at scrape time (every replica reports every account alike: take the max by account):
 * how far behind Amazon each account with sync on is, now minus its cursor (the end of the window
 * its last successful run read; before a first one, its initialSyncFrom), its quarantined
 * orders still unresolved, and whether Amazon refuses its credentials.
 *
 * "Refused" is the open `account.credentials_refused` episode in alert_episodes: opened by a run
 * that LWA refused (isCredentialsRefused: invalid_grant, invalid_client, unauthorized_client),
 * closed by the next run that succeeds. So the gauge and the webhooks agree, every replica
 * says the same, and it holds across restarts and lease moves.
 *
 * Each reading also drops what this process keeps for accounts deleted since: their series of
 * the counters above and of Amazon calls, and their SP-API clients.
 */
@Injectable()
export class SyncMetrics implements OnModuleInit, OnApplicationShutdown {
  private gauges?: ScrapeTimeGauges<SyncReading>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clients: SpApiClients,
  ) {}

  onModuleInit(): void {
    this.gauges = new ScrapeTimeGauges<SyncReading>(
      'sync',
      async () => {
        const accounts = await boundedQuery<{ account_id: string; refused: boolean }>(
          this.dataSource,
          `select a.id as account_id, exists (select 1 from alert_episodes e where e.kind = $1 and e.subject = a.id::text) as refused
             from seller_accounts a where a.deleted_at is null`,
          [AlertKind.CredentialsRefused],
        );
        await this.forgetAccountsGone(new Set(accounts.map((a) => a.account_id)));
        return {
          accounts,
          lag: await boundedQuery(
            this.dataSource,
            `select id as account_id, extract(epoch from now() - coalesce(last_synced_until, initial_sync_from))::float8 as lag
               from seller_accounts where sync_enabled and deleted_at is null`,
          ),
          quarantined: await boundedQuery(
            this.dataSource,
            `select q.account_id, count(*)::int as n from quarantined_orders q join seller_accounts a on a.id = q.account_id and a.deleted_at is null
              where q.resolved_at is null group by q.account_id`,
          ),
        };
      },
      [
        {
          name: 'connector_amazon_credentials_refused',
          help: "1 while Amazon refuses the account's credentials (its account.credentials_refused alert episode is open: LWA answered invalid_grant, invalid_client or unauthorized_client to a sync run, until a run succeeds), else 0; by account not deleted",
          labelNames: ['account_id'],
          samples: (r) => r.accounts.map((row) => ({ labels: { account_id: row.account_id }, value: row.refused ? 1 : 0 })),
        },
        {
          name: 'connector_sync_lag_seconds',
          help: "Now minus the account's sync cursor (the newest point up to which every change of Amazon's is in), by account with sync on",
          labelNames: ['account_id'],
          samples: (r) => r.lag.map((row) => ({ labels: { account_id: row.account_id }, value: Math.max(0, row.lag) })),
        },
        {
          name: 'connector_quarantined_orders',
          help: 'Quarantined Amazon orders not yet resolved (retried each run), by account not deleted (0 included)',
          labelNames: ['account_id'],
          // Every account not deleted, 0 included: a panel or rule sees 0 rather than nothing.
          samples: (r) => {
            const counts = new Map(r.quarantined.map((row) => [row.account_id, row.n]));
            return r.accounts.map((row) => ({ labels: { account_id: row.account_id }, value: counts.get(row.account_id) ?? 0 }));
          },
        },
      ],
    );
  }

  onApplicationShutdown(): void {
    this.gauges?.remove();
  }

  private async forgetAccountsGone(live: ReadonlySet<string>): Promise<void> {
    await removeSeries(ACCOUNT_COUNTERS, 'account_id', (id) => !live.has(id));
    await this.clients.keepOnly(live);
  }
}
