/** What `syncSoon` runs its update on: a DataSource or an EntityManager. */
interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/**
 * Brings the accounts' next sync forward to `afterSeconds` after `changedAt` (now at the
 * earliest), never later than it already is. An account whose run is under way (leased, its due
 * time passed) gets that time even though it is later: the run may have started before the change
 * reached its window, and its lease release keeps a next sync set meanwhile when sooner than the
 * run's own (see SyncScheduler).
 */
export async function syncSoon(db: Queryable, accountIds: string[], changedAt: Date | null, afterSeconds: number): Promise<void> {
  await db.query(
    `update seller_accounts
        set next_sync_at = case when lease_owner is not null and lease_expires_at > now() and (next_sync_at is null or next_sync_at <= now())
                                  then greatest(now(), $2::timestamptz + make_interval(secs => $3))
                                else least(coalesce(next_sync_at, now()), greatest(now(), $2::timestamptz + make_interval(secs => $3))) end
      where id = any($1) and deleted_at is null`,
    [accountIds, changedAt, afterSeconds],
  );
}
