import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { TestEnvironment } from '@connector/test-environment';
import { claimDueRows } from './lease';
import { transactionWithHooks } from './after-commit';

/** The toolkit's SQL parts on a real PostgreSQL. */
describe('worker toolkit on PostgreSQL', () => {
  const env = new TestEnvironment();
  let db: DataSource;

  beforeAll(async () => {
    await env.setUp();
    db = await new DataSource({ type: 'postgres', url: env.databaseUrl }).initialize();
    await db.query(`create table jobs (id text primary key, kind text not null, due_at timestamptz not null default now(), attempts int not null default 0, note text)`);
  });

  afterAll(async () => {
    await db?.destroy();
    await env.tearDown();
  });

  beforeEach(() => db.query(`truncate jobs`));

  const claim = (runner: { query: DataSource['query'] }, limit = 10, kind = 'send') =>
    claimDueRows(runner, {
      table: 'jobs',
      where: 'kind = $1',
      parameters: [kind],
      orderBy: 'due_at, id',
      limit,
      leaseColumn: 'due_at',
      leaseSeconds: 60,
      alsoSet: 'attempts = attempts + 1',
    });

  it('claims due rows of its kind only, oldest first, and pushes their lease ahead', async () => {
    await db.query(
      `insert into jobs (id, kind, due_at) values ('a', 'send', now() - interval '2 minutes'), ('b', 'send', now() - interval '1 minute'),
        ('c', 'send', now() + interval '30 seconds'), ('d', 'poll', now() - interval '1 minute')`,
    );
    expect(await claim(db, 1)).toEqual(['a']);
    expect(await claim(db)).toEqual(['b']);
    expect(await claim(db)).toEqual([]);
    const rows: { id: string; attempts: number; leased: boolean }[] = await db.query(`select id, attempts, due_at > now() + interval '50 seconds' as leased from jobs order by id`);
    expect(rows).toEqual([
      { id: 'a', attempts: 1, leased: true },
      { id: 'b', attempts: 1, leased: true },
      { id: 'c', attempts: 0, leased: false },
      { id: 'd', attempts: 0, leased: false },
    ]);
  });

  it('never gives the same row to two claimers at once', async () => {
    await db.query(`insert into jobs (id, kind, due_at) select 'j' || g, 'send', now() - interval '1 minute' from generate_series(1, 200) g`);
    const claimers = Array.from({ length: 6 }, () => new Client({ connectionString: env.databaseUrl }));
    await Promise.all(claimers.map((c) => c.connect()));
    try {
      const claimed = (await Promise.all(claimers.map(async (c) => [...(await claim(c, 30)), ...(await claim(c, 30))]))).flat();
      expect(claimed.length).toBe(200);
      expect(new Set(claimed).size).toBe(200);
    } finally {
      await Promise.all(claimers.map((c) => c.end()));
    }
  });

  it('runs after-commit hooks once the transaction is visible to others, and never after a rollback', async () => {
    const outsider = new Client({ connectionString: env.databaseUrl });
    await outsider.connect();
    try {
      const seen: number[] = [];
      await transactionWithHooks(db, async (manager, afterCommit) => {
        await manager.query(`insert into jobs (id, kind) values ('x', 'send')`);
        afterCommit.add(async () => seen.push((await outsider.query(`select 1 from jobs where id = 'x'`)).rowCount ?? 0));
      });
      expect(seen).toEqual([1]);

      let ran = false;
      await expect(
        transactionWithHooks(db, async (manager, afterCommit) => {
          await manager.query(`insert into jobs (id, kind) values ('y', 'send')`);
          afterCommit.add(() => (ran = true));
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect(ran).toBe(false);
      expect((await outsider.query(`select 1 from jobs where id = 'y'`)).rowCount).toBe(0);
    } finally {
      await outsider.end();
    }
  });

  it('reports a failing hook without failing the committed transaction', async () => {
    const errors: string[] = [];
    const result = await transactionWithHooks(
      db,
      async (manager, afterCommit) => {
        await manager.query(`insert into jobs (id, kind) values ('z', 'send')`);
        afterCommit.add(() => {
          throw new Error('worker gone');
        });
        return 'committed';
      },
      (err) => errors.push(err.message),
    );
    expect(result).toBe('committed');
    expect(errors).toEqual(['worker gone']);
  });
});
