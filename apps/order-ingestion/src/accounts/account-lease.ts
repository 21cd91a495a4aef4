import { EntityManager } from 'typeorm';

/** An account's sync lease as one replica holds it (seller_accounts.lease_owner). */
export interface AccountLease {
  accountId: string;
  /**
   * The replica holding the lease; null for a write outside any sync run (one order recovered on
   * request): it takes only the account's row lock, so it lands between a run's pages, and the
   * writer's forward-only rules keep either from going back on the other.
   */
  owner: string | null;
  /** True once the work under the lease was abandoned (stalled): nothing more of it may commit. */
  revoked?: () => boolean;
}

/** The replica no longer holds the account's lease: another one took the account over. */
export class LeaseLostError extends Error {}

/** The account was removed while a write outside the sync was under way. */
export class AccountGoneError extends Error {}

/**
 * In the caller's transaction, before it writes: locks the account's row and checks that the
 * lease is still this replica's and has not run out. A replica that stalled past its lease
 * (and whose account another replica took over) must not commit the stale page or move the
 * cursor; the row lock keeps a takeover from slipping in between this check and the commit.
 */
export async function assertLeaseHeld(manager: EntityManager, lease: AccountLease): Promise<void> {
  if (lease.owner === null) {
    const account: unknown[] = await manager.query(`select id from seller_accounts where id = $1 and deleted_at is null for update`, [lease.accountId]);
    if (account.length === 0) throw new AccountGoneError(`account ${lease.accountId} not found`);
    return;
  }
  if (lease.revoked?.()) throw new LeaseLostError(`the run under the lease of account ${lease.accountId} was abandoned: its page is not committed`);
  const held: unknown[] = await manager.query(
    `select id from seller_accounts where id = $1 and lease_owner = $2 and lease_expires_at > now() for update`,
    [lease.accountId, lease.owner],
  );
  if (held.length === 0) {
    throw new LeaseLostError(`lost the lease of account ${lease.accountId} (now another replica's, or run out): this replica's page is not committed`);
  }
}
