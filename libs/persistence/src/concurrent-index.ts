import type { QueryRunner } from 'typeorm';

/**
 * For a migration with `transaction = false`, on a table written while it runs: builds the index
 * with CREATE INDEX CONCURRENTLY, so order sync and event handlers keep writing (a plain CREATE INDEX
 * holds off every writer until it commits). The build waits for the write transactions under way
 * however long they take (no lock_timeout), rather than failing the service's start. A build cut
 * short earlier (a crash, a cancel) leaves an invalid index of that name: it is dropped and built again.
 * `definition`: what follows the name, e.g. `on sales_orders (account_id, created_at, id)`.
 */
export async function createIndexConcurrently(q: QueryRunner, name: string, definition: string): Promise<void> {
  await withoutLockTimeout(q, async () => {
    const [left] = await q.query(`select indisvalid as valid from pg_index where indexrelid = to_regclass($1)`, [name]);
    if (left && !left.valid) await q.query(`drop index concurrently if exists ${name}`);
    await q.query(`create index concurrently if not exists ${name} ${definition}`);
  });
}

/** The `down` of createIndexConcurrently. */
export async function dropIndexConcurrently(q: QueryRunner, name: string): Promise<void> {
  await withoutLockTimeout(q, () => q.query(`drop index concurrently if exists ${name}`));
}

async function withoutLockTimeout(q: QueryRunner, work: () => Promise<unknown>): Promise<void> {
  if (q.isTransactionActive) throw new Error('an index is built concurrently outside a transaction: give the migration `transaction = false`');
  await q.query(`set lock_timeout = 0`);
  try {
    await work();
  } finally {
    // Back to the pool's setting for whatever runs on this connection next.
    await q.query(`reset lock_timeout`);
  }
}
