import { DataSource } from 'typeorm';
import { TestEnvironment } from '@connector/test-environment';
import { serviceDataSourceOptions } from './data-source';
import { runAlone } from './job-lock';

/** Two replicas of a service (two pools on one database) running the same periodic job. */
describe('runAlone: a periodic job on one replica at a time', () => {
  const env = new TestEnvironment();
  const replica = (schema = 'jobs') => new DataSource(serviceDataSourceOptions({ database: env.databaseUrl, schema, entities: [], migrations: [] }));
  let first: DataSource;
  let second: DataSource;
  let otherService: DataSource;

  beforeAll(async () => {
    await env.setUp();
    [first, second, otherService] = await Promise.all([replica().initialize(), replica().initialize(), replica('other').initialize()]);
  });

  afterAll(async () => {
    await Promise.all([first, second, otherService].map((db) => db?.destroy()));
    await env.tearDown();
  });

  /** A job run that holds until the test lets it go. */
  const held = () => {
    let release!: () => void;
    let entered!: () => void;
    const started = new Promise<void>((resolve) => (entered = resolve));
    const done = new Promise<void>((resolve) => (release = resolve));
    return { started, release, work: async () => (entered(), await done, 'done') };
  };
  const advisoryLocks = async () => Number((await env.query<{ n: string }>(`select count(*) as n from pg_locks where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())`))[0].n);

  it('skips the job on the second replica while the first runs it, and runs it there once the first is done', async () => {
    const run = held();
    const firstRun = runAlone(first, 'pruning', run.work);
    await run.started;

    const skipped = jest.fn(async () => 'ran');
    await expect(runAlone(second, 'pruning', skipped)).resolves.toEqual({ ran: false });
    expect(skipped).not.toHaveBeenCalled();
    // Another job, and the same job of another service (schema), are not held back.
    await expect(runAlone(second, 'retention', async () => 'other job')).resolves.toEqual({ ran: true, value: 'other job' });
    await expect(runAlone(otherService, 'pruning', async () => 'other service')).resolves.toEqual({ ran: true, value: 'other service' });

    run.release();
    await expect(firstRun).resolves.toEqual({ ran: true, value: 'done' });
    await expect(runAlone(second, 'pruning', async () => 'second')).resolves.toEqual({ ran: true, value: 'second' });
    // Nothing stays locked behind, on any connection of either pool.
    expect(await advisoryLocks()).toBe(0);
  });

  it('frees the job when a run fails', async () => {
    await expect(runAlone(first, 'pruning', async () => Promise.reject(new Error('disk full')))).rejects.toThrow('disk full');
    await expect(runAlone(second, 'pruning', async () => 'after the failure')).resolves.toEqual({ ran: true, value: 'after the failure' });
    expect(await advisoryLocks()).toBe(0);
  });
});
