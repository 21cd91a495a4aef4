import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { HealthIndicators, HealthReport, SETTINGS } from '@connector/platform';
import { backoffCeiling, keepLeaseAlive, LeaseHeartbeat, PeriodicWorker, returnedRows, settleWithin } from '@connector/workers';
import { AlertKind } from '@connector/contracts';
import { DataSource, In } from 'typeorm';
import { SellerAccount } from '../accounts/seller-account.entity';
import { OrderIngestionSettings } from '../order-ingestion.settings';
import { NotificationFlow, SUBSCRIPTION_VERIFIED_WITHIN_HOURS } from '../order-notifications/notification-flow';
import { isRunOutage, RunHints, SyncService } from './sync.service';

/**
 * The share of the service's shutdown time (SHUTDOWN_TIMEOUT_SECONDS) that runs get to reach a
 * page boundary: the rest is for releasing the leases and the other hooks, before the process
 * is made to exit.
 */
const SHUTDOWN_WAIT_SHARE = 0.7;

/** outage_runs counts no further: the back-off reached the interval long before. */
const MAX_OUTAGE_RUNS_COUNTED = 30;
/** Due accounts read (and leases tried) at a time. */
export const TICK_BATCH = 20;
/** Runs under way in this replica beyond which a tick takes one batch only (see tick). */
export const MAX_RUNS_TO_KEEP_TAKING = 200;
/** A replica whose heartbeat (each tick) is older than this many ticks (and 5 s) no longer counts as live. */
const REPLICA_SEEN_WITHIN = 5;
const REPLICA_SEEN_WITHIN_MIN_SECONDS = 5;
/**
 * Ticks an account may be due before any replica takes it, not only the one its hash picks: the
 * bound on what a busy, dead or not yet counted replica adds to an account's wait.
 */
export const OTHERS_GRACE_TICKS = 2;

/** This replica's place among the live ones: it takes the accounts whose hash modulo `of` is `index`. */
interface FairShare {
  index: number;
  of: number;
}

interface ClaimedRow {
  id: string;
  next_sync_at: string | null;
  due: number;
  run_row_pending: boolean;
  quarantined: boolean;
  credentials_refused: boolean;
}

interface Claimed {
  id: string;
  nextSyncAt: string | null;
  hints: RunHints;
}

/**
 * Starts due syncs. Each account is synced by one replica at a time, under a lease in
 * PostgreSQL that the replica renews while the run lives (see keepLease); a dead replica's
 * lease runs out and another replica takes the account over. Replicas share the accounts evenly:
 * each takes those its hash gives it among the live replicas (sync_replicas), and any account
 * left due for OTHERS_GRACE_TICKS ticks; a replica that joins or leaves changes the shares at
 * the next tick of each.
 */
@Injectable()
export class SyncScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(SyncScheduler.name);
  readonly replica = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly running = new Map<string, Promise<unknown>>();
  private readonly leases = new Set<LeaseHeartbeat>();
  private worker?: PeriodicWorker;
  /** Set at shutdown: runs stop at their next page boundary, no new run starts. */
  private stopping = false;
  /** The draw of the outage back-off's jitter, [0, 1): a test sets it to see the ceilings. */
  random: () => number = Math.random;

  constructor(
    private readonly dataSource: DataSource,
    private readonly sync: SyncService,
    @Inject(SETTINGS) private readonly settings: OrderIngestionSettings,
    @Optional() private readonly health?: HealthIndicators,
    @Optional() private readonly notifications?: NotificationFlow,
  ) {}

  onApplicationBootstrap(): void {
    this.health?.register('sync', () => this.syncHealth());
    this.worker = new PeriodicWorker({
      name: 'scheduler tick',
      pass: () => this.tick(),
      everyMs: this.settings.SYNC_TICK_SECONDS * 1000,
      onError: (message) => this.logger.warn(message),
      // Runs under way are not awaited at shutdown, see onApplicationShutdown.
      stopWaitMs: 0,
    });
    this.worker.start();
  }

  /**
   * Starts the due accounts' runs (not waiting for them), the longest due first, a batch at a time.
   * A full batch means more are due: the tick takes the next at once rather than a tick later (one
   * batch a tick held a replica to 10 runs a second however cheap they were, bench/many-sellers.ts),
   * until this replica has MAX_RUNS_TO_KEEP_TAKING runs under way; then one batch a tick, as before,
   * so runs waiting minutes on Amazon's quota never keep due accounts from starting.
   */
  async tick(): Promise<void> {
    const share = await this.fairShare();
    for (;;) {
      if (this.stopping) return;
      const claimed = await this.claimDue(share);
      const accounts = claimed.length ? await this.loadClaimed(claimed.map((c) => c.id)) : new Map<string, SellerAccount>();
      let started = 0;
      for (const taken of claimed) {
        const { id } = taken;
        // Still running here after its lease ran out (this replica stalled): the lease is ours again and that run releases it.
        if (this.running.has(id)) continue;
        const account = accounts.get(id);
        // Nobody awaits a run but shutdown: a run that could not even start (its database went
        // away, the pool closed under it at shutdown) is logged here, never left unhandled.
        const work = (account ? this.runAccount(account, taken.nextSyncAt, taken.hints) : this.release(id))
          .catch((err: Error) => this.logger.warn(`sync of account ${id} could not run: ${err.message}`))
          .finally(() => this.running.delete(id));
        this.running.set(id, work);
        started++;
      }
      // Nothing more due, or nothing of it ours to start (other replicas took it), or enough under way.
      if (claimed.length < TICK_BATCH || started === 0 || this.running.size >= MAX_RUNS_TO_KEEP_TAKING) return;
    }
  }

  /**
   * The claimed accounts; when they cannot be read (the database went away), their leases are handed
   * back on the way out, so a batch of accounts does not wait a whole lease for nothing.
   */
  private async loadClaimed(ids: string[]): Promise<Map<string, SellerAccount>> {
    try {
      return new Map((await this.dataSource.getRepository(SellerAccount).findBy({ id: In(ids) })).map((a) => [a.id, a]));
    } catch (err) {
      await Promise.all(ids.map((id) => this.release(id).catch(() => undefined)));
      throw err;
    }
  }

  /**
   * This replica's place among the live ones, from its heartbeat in sync_replicas (one statement a
   * tick, whatever the number of accounts). Replicas seen within REPLICA_SEEN_WITHIN ticks count;
   * rows of replicas long gone are deleted on the way.
   */
  private async fairShare(): Promise<FairShare> {
    const tickSeconds = this.settings.SYNC_TICK_SECONDS;
    const others: { replica: string }[] = await this.dataSource.query(
      `with beat as (insert into sync_replicas (replica, seen_at) values ($1, now()) on conflict (replica) do update set seen_at = now()),
            gone as (delete from sync_replicas where seen_at < now() - make_interval(secs => $3))
       select replica from sync_replicas where seen_at > now() - make_interval(secs => $2) and replica <> $1`,
      [this.replica, Math.max(REPLICA_SEEN_WITHIN_MIN_SECONDS, tickSeconds * REPLICA_SEEN_WITHIN), 3600],
    );
    const live = [this.replica, ...others.map((o) => o.replica)].sort();
    return { index: live.indexOf(this.replica), of: live.length };
  }

  /**
   * Takes up to TICK_BATCH due accounts and their leases in one statement (`for update skip locked`
   * keeps replicas off each other's rows), the longest due first: this replica's share of them (an
   * account's hash picks its replica among the live ones), and any account due for longer than
   * OTHERS_GRACE_TICKS ticks (its replica is busy, gone, or not seen yet). Answers with what a run
   * can skip without asking: quarantined orders to retry, an open credentials alert, a run row
   * queued or left running. The due expression is the index's (seller_accounts_due).
   */
  private async claimDue(share: FairShare): Promise<Claimed[]> {
    const claimed = await this.dataSource.query(
      `update seller_accounts a set lease_owner = $1, lease_expires_at = now() + make_interval(secs => $2)
        where a.id in (select id from seller_accounts
                        where deleted_at is null and (sync_enabled or sync_requested_at is not null)
                          and coalesce(sync_requested_at, next_sync_at, '-infinity'::timestamptz) <= now()
                          -- A lease of this replica with no run of it here is an orphan: a claim committed whose
                          -- answer was lost, or a release the database did not take (it was away). Taken again at
                          -- once rather than after the lease runs out; no other replica can hold it meanwhile.
                          and (lease_owner is null or lease_expires_at < now() or lease_owner = $1)
                          -- Not one whose run is still finishing here: re-taking its lease would only lock the others out.
                          and not (id = any($8::uuid[]))
                          and (mod(abs(hashtext(id::text)::bigint), $4) = $5
                               or coalesce(sync_requested_at, next_sync_at, '-infinity'::timestamptz) < now() - make_interval(secs => $6))
                        order by coalesce(sync_requested_at, next_sync_at, '-infinity'::timestamptz)
                        limit $3 for update skip locked)
        returning a.id, a.next_sync_at::text as next_sync_at,
                  extract(epoch from coalesce(a.sync_requested_at, a.next_sync_at, '-infinity'::timestamptz))::float8 as due,
                  exists (select 1 from sync_runs r where r.account_id = a.id and r.status = 'queued')
                    or exists (select 1 from sync_runs r where r.account_id = a.id and r.status = 'running') as run_row_pending,
                  exists (select 1 from quarantined_orders q where q.account_id = a.id and q.resolved_at is null) as quarantined,
                  exists (select 1 from alert_episodes e where e.kind = $7 and e.subject = a.id::text) as credentials_refused`,
      [this.replica, this.settings.SYNC_LEASE_SECONDS, TICK_BATCH, share.of, share.index, this.settings.SYNC_TICK_SECONDS * OTHERS_GRACE_TICKS, AlertKind.CredentialsRefused, [...this.running.keys()]],
    );
    // RETURNING keeps no order: the longest due starts first.
    return (returnedRows(claimed) as unknown as ClaimedRow[])
      .sort((a, b) => a.due - b.due)
      .map((row) => ({
        id: row.id,
        nextSyncAt: row.next_sync_at,
        hints: { runRowPending: row.run_row_pending, quarantined: row.quarantined, credentialsRefused: row.credentials_refused },
      }));
  }

  /** `nextSyncAtWhenTaken`: the account's next_sync_at when its lease was taken (as text, to the microsecond). */
  private async runAccount(account: SellerAccount, nextSyncAtWhenTaken: string | null, hints: RunHints): Promise<void> {
    const lease = this.keepLease(account.id);
    let outage = false;
    try {
      // An account taken just as shutdown began is handed back untouched (a queued run stays queued).
      if (!this.stopping) outage = (await this.sync.run(account, this.replica, lease.held, { stopRequested: () => this.stopping }, hints))?.outage ?? false;
    } catch (err) {
      // The run could not even start (its row not written): the database was away, most likely.
      outage = isRunOutage(err);
      throw err;
    } finally {
      lease.stop();
      // A run cut short by shutdown leaves the account due (and a requested sync requested): the
      // replica that takes it next carries on from the cursor at once. A request is done once no
      // run of it waits queued (the run took it: a request made while it ran got its id instead).
      // A next sync brought forward while the run went on (a notification's "synced soon instead",
      // a re-authorization) is kept when sooner than the run's own next one. A run an outage cut
      // short is tried again after its back-off, not a whole interval later: the outage ends, and
      // the orders it did not read wait for no schedule (a requested sync of an account with sync off
      // is tried again too, up to the interval, see sync_requested_at below). The outage count is the
      // account's (outage_runs): any other end, on any replica, starts it again; a release the database
      // did not take counts nothing.
      // The outage's back-off: its ceiling here, the draw under it and the cap (the interval the
      // account actually runs on) in the statement.
      const retryCeiling = outage && !this.stopping ? this.outageRetryCeiling(account) : null;
      await this.dataSource.query(
        `update seller_accounts
            set lease_owner = null, lease_expires_at = null,
                next_sync_at = case when $3 then next_sync_at
                                    when next_sync_at is distinct from $6::timestamptz then least(next_sync_at, computed.run_next)
                                    else computed.run_next end,
                -- A requested sync of an account with sync off that an outage cut short stays requested, due at
                -- the retry, until the retry would wait the whole interval: then it is dropped (its run row says
                -- failed; the user asks again) rather than polling an account nobody syncs for as long as Amazon
                -- is away. With sync on, the request is done: next_sync_at brings the retry, and a later syncSoon
                -- is not held back by a request due in the future.
                sync_requested_at = case when $3 then sync_requested_at
                                         when $7::float8 is not null and sync_requested_at is not null and not sync_enabled
                                              and $7::float8 < effective.interval_seconds then greatest(sync_requested_at, computed.run_next)
                                         when not exists (select 1 from sync_runs where account_id = $1 and status = 'queued') then null
                                         else sync_requested_at end,
                outage_runs = case when $3 then outage_runs when $7::float8 is null then 0 else least(outage_runs + 1, ${MAX_OUTAGE_RUNS_COUNTED}) end
           from (select case
                          -- While ORDER_CHANGE notifications flow for a subscribed account, polling is only the safety net: slower.
                          -- Only on a subscription Amazon showed within the last day and a notification of the account within
                          -- the relaxed interval: a subscription deleted at Amazon, or one nothing arrives through, keeps the account's own.
                          when $4 > 0 and exists (select 1 from order_change_subscriptions s where s.account_id = $1 and s.status = 'subscribed'
                                                     and s.verified_at > now() - make_interval(hours => $5)
                                                     and s.last_notification_at > now() - make_interval(secs => $4))
                            then greatest(a.sync_interval_seconds, $4)
                          else a.sync_interval_seconds end::float8 as interval_seconds
                   from seller_accounts a where a.id = $1) effective,
                -- Equal jitter after an outage, between half the ceiling and the ceiling; once the ceiling reaches
                -- the interval, the interval itself: an account never runs more often than its schedule while an
                -- outage lasts, and the accounts one outage cut short do not all come back together.
                lateral (select now() + make_interval(secs => case
                                 when $7::float8 is null or $7::float8 >= effective.interval_seconds then effective.interval_seconds
                                 else $7::float8 * (0.5 + 0.5 * $8::float8) end) as run_next) computed
          where id = $1 and lease_owner = $2`,
        [account.id, this.replica, this.stopping, this.notifications?.relaxedIntervalSeconds() ?? 0, SUBSCRIPTION_VERIFIED_WITHIN_HOURS, nextSyncAtWhenTaken, retryCeiling, Math.min(1, Math.max(0, this.random()))],
      ).catch((err) => this.logger.warn(`could not release lease of ${account.id}: ${err.message}`));
    }
  }

  /**
   * The ceiling, in seconds, of the wait before the next try of an account whose run an outage cut
   * short: SYNC_OUTAGE_RETRY_SECONDS doubled for each such run in a row (outage_runs). The release
   * caps it at the account's effective interval.
   */
  private outageRetryCeiling(account: SellerAccount): number {
    const cap = Math.max(account.syncIntervalSeconds, this.notifications?.relaxedIntervalSeconds() ?? 0);
    return backoffCeiling((account.outageRuns ?? 0) + 1, { baseMs: this.settings.SYNC_OUTAGE_RETRY_SECONDS, maxMs: cap });
  }

  /** An account claimed but gone meanwhile (deleted between the claim and its load): its lease goes. */
  private async release(id: string): Promise<void> {
    await this.dataSource.query(`update seller_accounts set lease_owner = null, lease_expires_at = null where id = $1 and lease_owner = $2`, [id, this.replica]);
  }

  /**
   * Renews the lease every third of its length for as long as the run lives, not only when a
   * page commits: a page may wait minutes for Amazon's quota (searchOrders gives one call per
   * three minutes once its burst is spent), far longer than the lease. `held` renews once more
   * and says whether the lease is still this replica's; a run that lost it (this replica stalled
   * past the lease and another took the account) stops at its next page.
   */
  private keepLease(id: string): LeaseHeartbeat {
    const heartbeat = keepLeaseAlive({
      renew: () => this.renew(id),
      everyMs: (this.settings.SYNC_LEASE_SECONDS * 1000) / 3,
      // Taken or renewed within the last third of the lease, it is still ours (at least two thirds
      // are left): a run's page boundaries ask the database only past that.
      freshForMs: (this.settings.SYNC_LEASE_SECONDS * 1000) / 3,
      onError: (err) => this.logger.warn(`could not renew the lease of ${id}: ${err.message}; trying again`),
    });
    this.leases.add(heartbeat);
    return {
      held: () => heartbeat.held(),
      stop: () => {
        heartbeat.stop();
        this.leases.delete(heartbeat);
      },
    };
  }

  private async renew(id: string): Promise<boolean> {
    const renewed = await this.dataSource.query(
      `update seller_accounts set lease_expires_at = now() + make_interval(secs => $3)
        where id = $1 and lease_owner = $2 returning id`,
      [id, this.replica, this.settings.SYNC_LEASE_SECONDS],
    );
    return returnedRows(renewed).length > 0;
  }

  /**
   * Shutdown, while the database is still open: no new run starts, runs under way stop at
   * their next page boundary (a page commits whole or not at all) and are awaited for most of
   * SHUTDOWN_TIMEOUT_SECONDS; then every lease of this replica is released at once, so another
   * replica takes the accounts over without waiting for the leases to run out. A run still
   * waiting (on Amazon's quota, say) can commit nothing more once its lease is gone.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.worker?.stop();
    await settleWithin(Promise.allSettled([...this.running.values()]), this.settings.SHUTDOWN_TIMEOUT_SECONDS * 1000 * SHUTDOWN_WAIT_SHARE);
    for (const lease of this.leases) lease.stop();
    this.leases.clear();
    await this.dataSource
      .query(`update seller_accounts set lease_owner = null, lease_expires_at = null where lease_owner = $1`, [this.replica])
      .catch((err) => this.logger.warn(`could not release this replica's leases: ${err.message}`));
    // Gone from the live replicas at once: the others take its share at their next tick.
    await this.dataSource
      .query(`delete from sync_replicas where replica = $1`, [this.replica])
      .catch((err) => this.logger.warn(`could not leave the live replicas: ${err.message}`));
  }

  async onApplicationShutdown(): Promise<void> {
    // Also what a test calls to make a replica stall: the clock and the heartbeats stop, runs
    // under way are left to find their lease gone.
    await this.worker?.stop();
    for (const lease of this.leases) lease.stop();
    this.leases.clear();
  }

  /**
   * Health: an account whose run made no progress for SYNC_STALL_SECONDS (its replica hung or
   * died), or whose last successful sync is older than SYNC_OVERDUE_INTERVALS of its interval.
   */
  async syncHealth(): Promise<HealthReport> {
    // Runs stuck come from the few running (an index of them), overdue accounts from the account
    // rows (last_sync_succeeded_at): no account's run history is read.
    const problems: { id: string; problem: string }[] = await this.dataSource.query(
      `select a.id,
              case when stuck.account_id is not null then 'sync stuck since ' || to_char(stuck.since at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                   else 'no successful sync since ' || coalesce(to_char(a.last_sync_succeeded_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'the account was created') end as problem
         from seller_accounts a
         left join (select r.account_id, min(coalesce(r.progressed_at, r.started_at, r.created_at)) as since from sync_runs r
                     where r.status = 'running'
                       -- A run that waited queued counts from its start, not its request.
                       and coalesce(r.progressed_at, r.started_at, r.created_at) < now() - make_interval(secs => $1)
                     group by r.account_id) stuck on stuck.account_id = a.id
        where a.deleted_at is null
          and (stuck.account_id is not null
               or (a.sync_enabled and coalesce(a.last_sync_succeeded_at, a.created_at) < now() - make_interval(secs => a.sync_interval_seconds * $2)))
        order by a.id limit 20`,
      [this.settings.SYNC_STALL_SECONDS, this.settings.SYNC_OVERDUE_INTERVALS],
    );
    if (problems.length === 0) return { healthy: true, detail: 'every account synced in time' };
    return { healthy: false, detail: problems.map((p) => `account ${p.id}: ${p.problem}`).join('; ') };
  }
}
