import { Column, DataSource, Entity, PrimaryColumn, Unique } from 'typeorm';
import { TestEnvironment } from '@connector/test-environment';
import { bulkInsert } from './bulk-insert';
import { findByKeys, findByKeysQuery } from './find-by-keys';

@Entity({ name: 'orders' })
@Unique(['account', 'ref'])
class Order {
  @PrimaryColumn('int') id: number;
  @Column('text') account: string;
  @Column('text') ref: string;
  @Column('text', { nullable: true }) note: string | null;
}

describe('findByKeys and bulkInsert on PostgreSQL', () => {
  const env = new TestEnvironment();
  let db: DataSource;

  beforeAll(async () => {
    await env.setUp();
    db = await new DataSource({ type: 'postgres', url: env.databaseUrl, entities: [Order] }).initialize();
    await db.query(`create table orders (id int primary key, account text not null, ref text not null, note text, unique (account, ref))`);
    // Never analysed, like every table during a first backfill.
    await db.query(`insert into orders select g, 'a' || (g % 3), 'r' || g, null from generate_series(1, 5000) g`);
  });

  afterAll(async () => {
    await db?.destroy();
    await env.tearDown();
  });

  it('finds each key once, skips keys that are not there, and honours the fixed columns', async () => {
    const rows = await findByKeys<{ id: number; ref: string }>(
      db.manager,
      'orders',
      ['id', 'ref'],
      { ref: { type: 'text', values: ['r3', 'r4', 'missing', 'r6', 'r3'] } },
      { account: 'a0' },
    );
    // r4 belongs to account a1; r3 was asked twice.
    expect(rows.sort((x, y) => x.id - y.id)).toEqual([
      { id: 3, ref: 'r3' },
      { id: 3, ref: 'r3' },
      { id: 6, ref: 'r6' },
    ]);
    expect(await findByKeys(db.manager, 'orders', ['id'], { ref: { type: 'text', values: [] } })).toEqual([]);
  });

  it('matches on several key columns together', async () => {
    const rows = await findByKeys<{ id: number }>(db.manager, 'orders', ['id'], {
      account: { type: 'text', values: ['a1', 'a2', 'a2'] },
      ref: { type: 'text', values: ['r4', 'r4', 'r5'] },
    });
    expect(rows.map((r) => r.id).sort((a, b) => a - b)).toEqual([4, 5]);
  });

  it('is planned as one index probe per key on a table without statistics', async () => {
    const query = findByKeysQuery('orders', ['id'], { ref: { type: 'text', values: ['r3', 'r4'] } }, { account: 'a0' })!;
    const plan: { 'QUERY PLAN': string }[] = await db.query(`explain ${query.sql}`, query.params);
    const text = plan.map((row) => row['QUERY PLAN']).join('\n');
    expect(text).toMatch(/Index (Only )?Scan/);
    expect(text).not.toMatch(/Seq Scan on orders/);
  });

  it('bulkInsert returns the inserted and the updated rows when asked', async () => {
    const returned = await db.transaction((manager) =>
      bulkInsert<Order, { id: number; note: string }>(
        manager,
        Order,
        [
          { id: 3, account: 'a0', ref: 'r3', note: 'again' },
          { id: 9001, account: 'a9', ref: 'new', note: 'first' },
        ],
        { onConflict: { target: ['account', 'ref'], update: ['note'] }, returning: ['id', 'note'] },
      ),
    );
    expect(returned.sort((x, y) => x.id - y.id)).toEqual([
      { id: 3, note: 'again' },
      { id: 9001, note: 'first' },
    ]);
  });
});
