import { INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { connect } from 'nats';
import { HEALTH_CHECKS, natsInboxPrefix, ServiceHealth } from '@connector/contracts';
import { serviceDataSourceOptions } from '@connector/persistence';
import { NATS_URL, TcpProxy, TestEnvironment, waitFor } from '@connector/test-environment';
import { PeriodicWorker } from '@connector/workers';
import { loadSettings, ServiceSettings } from './config';
import { HealthModule } from './health.module';
import { NamespacedNatsServer } from './namespaced-nats';

/**
 * PostgreSQL that stops answering without closing anything (a TCP proxy that stops forwarding:
 * no RST, no FIN): queries, new connections and loops fail within the database settings'
 * timeouts instead of waiting for ever, health says the database is down, and all is well
 * again once it answers.
 */
describe('a PostgreSQL that stops answering', () => {
  const env = new TestEnvironment();
  let proxy: TcpProxy;
  let settings: ServiceSettings;
  let app: INestMicroservice;
  let db: DataSource;

  const STATEMENT_TIMEOUT_S = 1;
  const CONNECT_TIMEOUT_S = 1;
  // The client gives up 5 s after statement_timeout (STALLED_QUERY_MARGIN_MS), plus slack for a busy machine.
  const QUERY_GIVES_UP_WITHIN_MS = (STATEMENT_TIMEOUT_S + 5 + 3) * 1000;

  beforeAll(async () => {
    await env.setUp();
    const target = new URL(env.databaseUrl);
    proxy = await TcpProxy.start(target.hostname, Number(target.port || 5432));
    settings = loadSettings(ServiceSettings, {
      DATABASE_URL: proxy.rewrite(env.databaseUrl),
      DATABASE_STATEMENT_TIMEOUT_SECONDS: String(STATEMENT_TIMEOUT_S),
      DATABASE_CONNECT_TIMEOUT_SECONDS: String(CONNECT_TIMEOUT_S),
      DATABASE_POOL_SIZE: '4',
      NATS_URL,
      NATS_NAMESPACE: env.namespace,
    });
    const options = serviceDataSourceOptions({ database: settings, schema: 'stall', entities: [], migrations: [] });
    @Module({ imports: [TypeOrmModule.forRoot(options), HealthModule.forService('inventory')] })
    class StallModule {}
    app = await NestFactory.createMicroservice(StallModule, { strategy: new NamespacedNatsServer(env.namespace, { servers: NATS_URL, queue: 'inventory' }), logger: false });
    await app.listen();
    db = app.get(DataSource);
  }, 60_000);

  afterAll(async () => {
    proxy?.resume();
    await app?.close();
    await proxy?.close();
    await env.tearDown();
  });

  afterEach(() => proxy.resume());

  /** Asks the service's health over NATS, as the gateway does (the packet NestJS's transport expects). */
  const health = async (): Promise<ServiceHealth> => {
    // From the gateway's inbox: the service answers only those allowed to ask.
    const nc = await connect({ servers: NATS_URL, inboxPrefix: natsInboxPrefix('gateway') });
    try {
      const { subject } = HEALTH_CHECKS.inventory;
      const answer = await nc.request(`${env.namespace}.${subject}`, JSON.stringify({ pattern: subject, id: 'h', data: {} }), { timeout: 5000 });
      return (JSON.parse(answer.string()) as { response: ServiceHealth }).response;
    } finally {
      await nc.close();
    }
  };
  const pool = () => (db.driver as unknown as { master: { totalCount: number } }).master;

  it('fails a query within the timeout, drops its connection, and answers again once the database does', async () => {
    await expect(db.query('select 1 as one')).resolves.toEqual([{ one: 1 }]);
    proxy.pause();

    const started = Date.now();
    await expect(db.query('select 2')).rejects.toThrow(/timeout/i);
    expect(Date.now() - started).toBeLessThan(QUERY_GIVES_UP_WITHIN_MS);
    // The connection still waiting for that answer is not handed to the next query.
    await waitFor(() => pool().totalCount === 0, { timeoutMs: 5000, what: 'the stalled connection dropped from the pool' });

    proxy.resume();
    await waitFor(async () => (await db.query('select 3 as three'))[0].three === 3, { timeoutMs: 15_000, what: 'queries answered again' });
  });

  it('fails to open a connection within the connect timeout', async () => {
    proxy.pause();
    const fresh = new DataSource(serviceDataSourceOptions({ database: settings, schema: 'stall', entities: [], migrations: [] }));
    const started = Date.now();
    await expect(fresh.initialize()).rejects.toThrow(/timeout/i);
    expect(Date.now() - started).toBeLessThan(CONNECT_TIMEOUT_S * 1000 + 3000);
  });

  it('a loop over the database reports failed passes while it is silent and works on after', async () => {
    const failures: string[] = [];
    let passes = 0;
    const worker = new PeriodicWorker({
      name: 'stall probe',
      everyMs: 100,
      pass: async () => {
        await db.query('select 1');
        passes++;
      },
      onError: (message) => failures.push(message),
    });
    worker.start();
    try {
      await waitFor(() => passes > 0, { what: 'a first pass' });
      proxy.pause();
      await waitFor(() => failures.length >= 2, { timeoutMs: 2 * QUERY_GIVES_UP_WITHIN_MS, what: 'passes failing, not hanging' });
      expect(failures[0]).toMatch(/stall probe failed: .*timeout/i);
      proxy.resume();
      const before = passes;
      await waitFor(() => passes > before, { timeoutMs: 15_000, what: 'passes succeeding again' });
    } finally {
      proxy.resume();
      await worker.stop();
    }
  }, 60_000);

  it('health reports the database down while it is silent, and up again after', async () => {
    await expect(health()).resolves.toMatchObject({ status: 'up', postgres: 'up' });
    proxy.pause();
    await expect(health()).resolves.toMatchObject({ status: 'down', postgres: 'down' });
    proxy.resume();
    await waitFor(async () => (await health()).postgres === 'up', { timeoutMs: 15_000, what: 'health up again' });
  });
});
