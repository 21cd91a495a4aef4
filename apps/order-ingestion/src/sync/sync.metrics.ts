import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { AlertKind } from '@connector/contracts';
import { boundedQuery, counter, DURATION_BUCKETS, histogram, ScrapeTimeGauges } from '@connector/platform';
import { SpApiClients } from '@connector/sp-api';
import { DataSource } from 'typeorm';
import type { PageOutcome } from '../orders/sales-order-page';
import type { SyncRun } from './sync-run.entity';

// No series carries the account: their number stays the same however many accounts there are
// (one install serves thousands). An account's own figures are in the API (its sync runs).

export const ordersSynced = counter({
  name: 'connector_orders_synced_total',
  help: 'Amazon orders written by the sync (counted once their page committed), by result: created, updated, unchanged (read again, nothing new)',
  labelNames: ['result'],
});

export const ordersQuarantined = counter({
  name: 'connector_orders_quarantined_total',
  help: 'Amazon orders a sync page quarantined (could not map them); a quarantined order retried and refused again counts again',
});

export const syncRuns = counter({
  name: 'connector_sync_runs_total',
  help: 'Sync runs ended, by outcome (succeeded, failed)',
  labelNames: ['outcome'],
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
export function countSyncedOrders(outcome: PageOutcome): void {
  if (outcome.created) ordersSynced.inc({ result: 'created' }, outcome.created);
  if (outcome.updated) ordersSynced.inc({ result: 'updated' }, outcome.updated);
  if (outcome.unchanged) ordersSynced.inc({ result: 'unchanged' }, outcome.unchanged);
  if (outcome.quarantined) ordersQuarantined.inc(outcome.quarantined);
}

/**
 * A run that ended, into the counters. Its duration runs from its start: a queued run's
 * createdAt is when it was asked for, and the wait before it started is not the run's work. A run
 * that never started (failed in the queue) has no duration.
 */
export function countSyncRun(run: Pick<SyncRun, 'status' | 'createdAt' | 'startedAt' | 'finishedAt'>): void {
  const outcome = run.status === 'succeeded' ? 'succeeded' : 'failed';
  syncRuns.inc({ outcome });
  if (run.startedAt) syncRunDuration.observe({ outcome }, secondsBetween(run.startedAt, run.finishedAt ?? new Date()));
}

/** A run that started: how long it waited for that since it was asked for. */
export function countSyncRunStart(run: Pick<SyncRun, 'createdAt' | 'startedAt'>): void {
  if (run.startedAt) syncRunQueueWait.observe(secondsBetween(run.createdAt, run.startedAt));
}

function secondsBetween(from: Date, to: Date): number {
  return Math.max(0, (to.getTime() - from.getTime()) / 1000);
}

/** The lag thresholds counted by connector_sync_lagging_accounts{over}: the label and its seconds. */
export const SYNC_LAG_THRESHOLDS = [
  { over: '15m', seconds: 15 * 60 },
  { over: '1h', seconds: 60 * 60 },
  { over: '24h', seconds: 24 * 60 * 60 },
] as const;

/**
 * "Newly" (the gauges the rules on new accounts read): within the last 15 minutes. A count of
 * accounts that stay broken does not change when another one breaks, so Alertmanager would not
 * notify it; a count of those that broke within this window rises from 0 and goes back to 0.
 */
export const NEWLY = { seconds: 15 * 60, sql: `interval '15 minutes'` } as const;

/**
 * The lag alert's line: over 1 h for 15 minutes. A cursor never goes back, so an account now over
 * 1 h 15 min was over 1 h all of the last 15 minutes; it crossed that line newly while its lag is
 * at most 1 h 30 min (a stalled account spends 15 minutes between the two).
 */
export const NEWLY_BEHIND_SECONDS = 60 * 60 + NEWLY.seconds;

/** The quantiles of the accounts' sync lag reported by connector_sync_lag_seconds{quantile} (1: the worst). */
const LAG_QUANTILES = ['0.5', '0.95', '1'] as const;

/** One row: aggregates over every account, so a reading is the same size for 2 accounts or 10,000. */
interface SyncReading {
  syncing: number;
  lag: Record<(typeof LAG_QUANTILES)[number], number | null>;
  lagging: Record<(typeof SYNC_LAG_THRESHOLDS)[number]['over'], number>;
  newly_behind: number;
  refused: number;
  newly_refused: number;
  quarantined: number;
  newly_quarantined: number;
  quarantined_accounts: number;
}

/**
 * Read at scrape time, in one aggregate statement (every replica reports the same: take the max):
 * how far behind Amazon the accounts with sync on are (an account's lag is now minus its cursor,
 * the end of the window its last successful run read; before a first one, its initialSyncFrom):
 * quantiles, the worst, and how many are over each threshold; how many accounts Amazon refuses the
 * credentials of; the quarantined orders still unresolved and how many accounts have any.
 * Which accounts they are is the API's: GET /api/v1/accounts?syncLagOverSeconds=... or
 * ?credentialsRefused=true, GET /api/v1/orders/quarantined.
 *
 * "Refused" is the open `account.credentials_refused` episode in alert_episodes: opened by a run
 * that LWA refused (isCredentialsRefused: invalid_grant, invalid_client, unauthorized_client),
 * closed by the next run that succeeds. So the gauge and the webhooks agree, every replica
 * says the same, and it holds across restarts and lease moves.
 *
 * The "newly" gauges count what broke within the last 15 minutes (see NEWLY): accounts whose
 * refused episode opened then, accounts that went over 1 h behind for 15 minutes then, orders
 * quarantined (or quarantined again) then. From the database, so alike on every replica and
 * across restarts.
 *
 * Each reading also starts, apart, dropping the SP-API clients this process keeps for accounts
 * deleted since (a look-up of those clients' accounts only, not of every account): its failure
 * is logged and must not throw away the reading.
 */
@Injectable()
export class SyncMetrics implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(SyncMetrics.name);
  private gauges?: ScrapeTimeGauges<SyncReading>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clients: SpApiClients,
  ) {}

  onModuleInit(): void {
    this.gauges = new ScrapeTimeGauges<SyncReading>(
      'sync',
      async () => {
        void this.forgetClientsOfAccountsGone().catch((err: unknown) =>
          this.logger.warn({ msg: `could not drop the SP-API clients of deleted accounts (tried again next scrape): ${err instanceof Error ? err.message : String(err)}` }),
        );
        return this.read();
      },
      [
        {
          name: 'connector_sync_enabled_accounts',
          help: 'Seller accounts (not deleted) with sync on',
          samples: (r) => [{ value: r.syncing }],
        },
        {
          name: 'connector_sync_lag_seconds',
          help: "Sync lag of the accounts with sync on (an account's: now minus its sync cursor, the newest point up to which every change of Amazon's is in), by quantile over the accounts: 0.5, 0.95, 1 (the worst); none while no account syncs",
          labelNames: ['quantile'],
          samples: (r) => (r.syncing ? LAG_QUANTILES.map((quantile) => ({ labels: { quantile }, value: Math.max(0, r.lag[quantile] ?? 0) })) : []),
        },
        {
          name: 'connector_sync_lagging_accounts',
          help: 'Accounts with sync on whose sync lag is over the threshold (over: 15m, 1h, 24h); list them with GET /api/v1/accounts?syncLagOverSeconds=<seconds>',
          labelNames: ['over'],
          samples: (r) => SYNC_LAG_THRESHOLDS.map(({ over }) => ({ labels: { over }, value: r.lagging[over] })),
        },
        {
          name: 'connector_sync_newly_behind_accounts',
          help: 'Accounts with sync on that went over 1 hour behind for 15 minutes within the last 15 minutes (their lag between 1h15m and 1h30m); list those behind with GET /api/v1/accounts?syncLagOverSeconds=4500',
          samples: (r) => [{ value: r.newly_behind }],
        },
        {
          name: 'connector_amazon_credentials_refused_accounts',
          help: "Accounts (not deleted) whose credentials Amazon refuses (their account.credentials_refused alert episode is open: LWA answered invalid_grant, invalid_client or unauthorized_client to a sync run, until a run succeeds); list them with GET /api/v1/accounts?credentialsRefused=true",
          samples: (r) => [{ value: r.refused }],
        },
        {
          name: 'connector_amazon_credentials_newly_refused_accounts',
          help: 'Accounts (not deleted) whose credentials Amazon refuses and whose account.credentials_refused alert episode opened within the last 15 minutes',
          samples: (r) => [{ value: r.newly_refused }],
        },
        {
          name: 'connector_quarantined_orders',
          help: 'Quarantined Amazon orders not yet resolved (retried each run), of accounts not deleted; list them with GET /api/v1/orders/quarantined',
          samples: (r) => [{ value: r.quarantined }],
        },
        {
          name: 'connector_newly_quarantined_orders',
          help: 'Quarantined Amazon orders not yet resolved that were quarantined (or quarantined again after they had been resolved) within the last 15 minutes, of accounts not deleted',
          samples: (r) => [{ value: r.newly_quarantined }],
        },
        {
          name: 'connector_quarantined_orders_accounts',
          help: 'Accounts (not deleted) with at least one quarantined Amazon order not yet resolved',
          samples: (r) => [{ value: r.quarantined_accounts }],
        },
      ],
    );
  }

  onApplicationShutdown(): void {
    this.gauges?.remove();
  }

  private async read(): Promise<SyncReading> {
    const [row] = await boundedQuery<Record<string, number | null>>(
      this.dataSource,
      `with lag as (
         select extract(epoch from now() - coalesce(last_synced_until, initial_sync_from))::float8 as seconds
           from seller_accounts where sync_enabled and deleted_at is null
       ), quarantined as (
         select q.account_id, q.quarantined_at from quarantined_orders q join seller_accounts a on a.id = q.account_id and a.deleted_at is null
          where q.resolved_at is null
       )
       select count(*)::int as syncing,
              percentile_cont(array[0.5, 0.95]::float8[]) within group (order by seconds) as quantiles,
              max(seconds) as worst,
              ${SYNC_LAG_THRESHOLDS.map((_, i) => `count(*) filter (where seconds > $${i + 3})::int as over_${i}`).join(', ')},
              count(*) filter (where seconds > $2 and seconds <= $2 + ${NEWLY.seconds})::int as newly_behind,
              (select count(*)::int from alert_episodes e join seller_accounts a on a.id::text = e.subject and a.deleted_at is null where e.kind = $1) as refused,
              (select count(*)::int from alert_episodes e join seller_accounts a on a.id::text = e.subject and a.deleted_at is null
                where e.kind = $1 and e.opened_at > now() - ${NEWLY.sql}) as newly_refused,
              (select count(*)::int from quarantined) as quarantined,
              (select count(*)::int from quarantined where quarantined_at > now() - ${NEWLY.sql}) as newly_quarantined,
              (select count(distinct account_id)::int from quarantined) as quarantined_accounts
         from lag`,
      [AlertKind.CredentialsRefused, NEWLY_BEHIND_SECONDS, ...SYNC_LAG_THRESHOLDS.map((t) => t.seconds)],
    );
    const quantiles = (row.quantiles as unknown as number[] | null) ?? [null, null];
    return {
      syncing: Number(row.syncing),
      lag: { '0.5': quantiles[0], '0.95': quantiles[1], '1': row.worst },
      lagging: Object.fromEntries(SYNC_LAG_THRESHOLDS.map((t, i) => [t.over, Number(row[`over_${i}`])])) as SyncReading['lagging'],
      newly_behind: Number(row.newly_behind),
      refused: Number(row.refused),
      newly_refused: Number(row.newly_refused),
      quarantined: Number(row.quarantined),
      newly_quarantined: Number(row.newly_quarantined),
      quarantined_accounts: Number(row.quarantined_accounts),
    };
  }

  /** The SP-API clients of accounts deleted (or unknown) go: asks about this process's clients only. */
  private async forgetClientsOfAccountsGone(): Promise<void> {
    const held = this.clients.accountIds();
    if (!held.length) return;
    const gone = await boundedQuery<{ id: string }>(
      this.dataSource,
      `select c.id from unnest($1::uuid[]) c(id)
        where not exists (select 1 from seller_accounts a where a.id = c.id and a.deleted_at is null)`,
      [held],
    );
    for (const { id } of gone) this.clients.forget(id);
  }
}
