import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { SETTINGS } from '@connector/platform';
import { keepLeaseAlive, LeaseHeartbeat, PeriodicWorker, returnedRows } from '@connector/workers';
import { DataSource } from 'typeorm';
import { SellerAccount } from '../accounts/seller-account.entity';
import { OrderIngestionSettings } from '../order-ingestion.settings';
import { SyncService } from './sync.service';

/**
 * Starts due syncs. Each account is synced by one replica at a time, under a lease in
 * PostgreSQL that the replica renews while the run lives (see keepLease); a dead replica's
 * lease runs out and another replica takes the account over.
 */
@Injectable()
export class SyncScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SyncScheduler.name);
  readonly replica = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly running = new Map<string, Promise<unknown>>();
  private readonly leases = new Set<LeaseHeartbeat>();
  private worker?: PeriodicWorker;

  constructor(
    private readonly dataSource: DataSource,
    private readonly sync: SyncService,
    @Inject(SETTINGS) private readonly settings: OrderIngestionSettings,
  ) {}

  onApplicationBootstrap(): void {
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

  /** Starts the due accounts' runs (not waiting for them). */
  async tick(): Promise<void> {
    const due: { id: string }[] = await this.dataSource.query(
      `select id from seller_accounts
        where deleted_at is null
          and ((sync_enabled and (next_sync_at is null or next_sync_at <= now())) or sync_requested_at is not null)
          and (lease_owner is null or lease_expires_at < now())
        order by coalesce(sync_requested_at, next_sync_at) limit 20`,
    );
    for (const { id } of due) {
      if (this.running.has(id)) continue;
      const account = await this.acquire(id);
      if (!account) continue;
      const work = this.runAccount(account).finally(() => this.running.delete(id));
      this.running.set(id, work);
    }
  }

  private async runAccount(account: SellerAccount): Promise<void> {
    const startedAt = new Date();
    const trigger = account.syncRequestedAt ? 'manual' : 'schedule';
    const lease = this.keepLease(account.id);
    try {
      await this.sync.run(account, trigger, this.replica, lease.held);
    } finally {
      lease.stop();
      await this.dataSource.query(
        `update seller_accounts
            set lease_owner = null, lease_expires_at = null,
                next_sync_at = now() + make_interval(secs => sync_interval_seconds),
                sync_requested_at = case when sync_requested_at <= $2 then null else sync_requested_at end
          where id = $1 and lease_owner = $3`,
        [account.id, startedAt, this.replica],
      ).catch((err) => this.logger.warn(`could not release lease of ${account.id}: ${err.message}`));
    }
  }

  private async acquire(id: string): Promise<SellerAccount | null> {
    // TypeORM answers an UPDATE with [rows, rowCount].
    const [rows]: [{ id: string }[], number] = await this.dataSource.query(
      `update seller_accounts set lease_owner = $2, lease_expires_at = now() + make_interval(secs => $3)
        where id = $1 and deleted_at is null and (lease_owner is null or lease_expires_at < now() or lease_owner = $2)
        returning id`,
      [id, this.replica, this.settings.SYNC_LEASE_SECONDS],
    );
    if (rows.length === 0) return null;
    return this.dataSource.getRepository(SellerAccount).findOneBy({ id });
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

  async onApplicationShutdown(): Promise<void> {
    // Runs in progress are not awaited (one may be waiting minutes for Amazon's quota):
    // their transactions roll back, their leases are no longer renewed, and once a lease runs
    // out another replica takes the account over.
    await this.worker?.stop();
    for (const lease of this.leases) lease.stop();
    this.leases.clear();
  }
}
