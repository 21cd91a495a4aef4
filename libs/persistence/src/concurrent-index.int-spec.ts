import { DataSource, QueryRunner } from 'typeorm';
import { TestEnvironment, waitFor } from '@connector/test-environment';
import { createIndexConcurrently, dropIndexConcurrently } from './concurrent-index';
import { serviceDataSourceOptions } from './data-source';

/** What a migration with `transaction = false` does to a table the service writes meanwhile. */
describe('createIndexConcurrently: indexes built while the table is written', () => {
  const env = new TestEnvironment();
  let db: DataSource;
  let migration: QueryRunner;

  beforeAll(async () => {
    await env.setUp();
    await env.query(`create schema shop`);
    await env.query(`create table shop.things (id serial primary key, sku text, code text)`);
    db = await new DataSource(serviceDataSourceOptions({ database: env.databaseUrl, schema: 'shop', entities: [], migrations: [] })).initialize();
    migration = db.createQueryRunner();
    await migration.connect();
  });

  afterAll(async () => {
    await migration?.release();
    await db?.destroy();
    await env.tearDown();
  });

  const validity = async (name: string) => (await db.query(`select indisvalid as valid from pg_index where indexrelid = to_regclass($1)`, [name]))[0]?.valid;

  it('lets writers write while it waits for a transaction under way, then builds a valid index and restores the lock timeout', async () => {
    const lockTimeout = (await migration.query(`show lock_timeout`))[0].lock_timeout;
    const open = db.createQueryRunner();
    await open.connect();
    await open.startTransaction();
    await open.query(`insert into things (sku) values ('OPEN')`);
    const build = createIndexConcurrently(migration, 'things_sku', 'on things (sku)');
    try {
      await waitFor(async () => (await db.query(`select 1 from pg_stat_activity where query like 'create index%' and wait_event_type = 'Lock'`)).length > 0, {
        timeoutMs: 10_000,
        what: 'the build to wait for the open transaction',
      });
      // A plain CREATE INDEX would hold this writer behind its SHARE lock until the open transaction ends.
      await db.transaction(async (manager) => {
        await manager.query(`set local lock_timeout = '2s'`);
        await manager.query(`insert into things (sku) values ('WRITTEN-MEANWHILE')`);
      });
    } finally {
      await open.commitTransaction();
      await open.release();
    }
    await build;
    expect(await validity('things_sku')).toBe(true);
    expect((await db.query(`select sku from things order by id`)).map((r: { sku: string }) => r.sku)).toEqual(['OPEN', 'WRITTEN-MEANWHILE']);
    expect((await migration.query(`show lock_timeout`))[0].lock_timeout).toBe(lockTimeout);
    // Run again (a migration retried after a crash past this index): nothing to do.
    await createIndexConcurrently(migration, 'things_sku', 'on things (sku)');
    await dropIndexConcurrently(migration, 'things_sku');
    expect(await validity('things_sku')).toBeUndefined();
  });

  it('builds again an index a failed build left invalid', async () => {
    await db.query(`insert into things (code) values ('A'), ('A')`);
    await expect(migration.query(`create unique index concurrently things_code on things (code)`)).rejects.toThrow(/could not create unique index/);
    expect(await validity('things_code')).toBe(false);
    await db.query(`delete from things where code = 'A' and id = (select max(id) from things where code = 'A')`);
    await createIndexConcurrently(migration, 'things_code', 'on things (code)');
    expect(await validity('things_code')).toBe(true);
  });

  it('refuses to run inside a transaction, where PostgreSQL cannot build concurrently', async () => {
    await migration.startTransaction();
    try {
      await expect(createIndexConcurrently(migration, 'things_late', 'on things (code)')).rejects.toThrow(/transaction = false/);
    } finally {
      await migration.rollbackTransaction();
    }
  });
});
