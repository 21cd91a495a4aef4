import { INestApplicationContext, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IsInt, IsString } from 'class-validator';
import { connect, JsMsg, NatsConnection } from 'nats';
import { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { eventContract } from '@connector/contracts';
import { runMigrations, serviceDataSourceOptions } from '@connector/persistence';
import { NATS_URL, NatsServerProcess, PostgresCluster, TestEnvironment, waitFor } from '@connector/test-environment';
import { EventConsumer } from './event-consumer';
import { PACK_HEADER } from './event-pack';
import { EventStream } from './event-stream';
import { MESSAGING_MIGRATIONS } from './messaging-tables.migration';
import { MESSAGING_ENTITIES } from './messaging.entities';
import { MessagingModule } from './messaging.module';
import { EventContext, OnEvent } from './on-event.decorator';
import { Outbox, OutboxRelay } from './outbox';

class Tick {
  @IsString() name: string;
  @IsInt() n: number;
}
// Events of this test only, declared as the connector's are in libs/contracts.
const TICKED = eventContract({ subject: 'tick.happened.v1', version: 1, payload: Tick });
const TOCKED = eventContract({ subject: 'tock.happened.v1', version: 1, payload: Tick });

class TicksTable1764300000001 implements MigrationInterface {
  name = 'TicksTable1764300000001';
  async up(q: QueryRunner) {
    await q.query(`create table ticks (name text primary key, seen int not null)`);
  }
  async down(q: QueryRunner) {
    await q.query(`drop table ticks`);
  }
}

/** Counts each event it handles; can be held at a gate to keep a batch under way. */
@Injectable()
class TickHandler {
  gate?: Promise<void>;
  entered = 0;

  @OnEvent(TICKED)
  async tick(event: Tick, { manager }: EventContext) {
    this.entered++;
    if (this.gate && event.name.startsWith('gated-')) await this.gate;
    await manager.query(`insert into ticks (name, seen) values ($1, 1) on conflict (name) do update set seen = ticks.seen + 1`, [event.name]);
  }

  @OnEvent(TOCKED)
  async tock(event: Tick, { manager }: EventContext) {
    await manager.query(`insert into ticks (name, seen) values ($1, 1) on conflict (name) do update set seen = ticks.seen + 1`, [event.name]);
  }
}

/** A service of its own (its database and NATS as given), as each connector service runs its events. */
async function startService(databaseUrl: string, natsUrl: string, namespace: string): Promise<INestApplicationContext> {
  const options = serviceDataSourceOptions({ database: databaseUrl, schema: 'ticks', entities: MESSAGING_ENTITIES, migrations: [...MESSAGING_MIGRATIONS, TicksTable1764300000001] });
  await runMigrations(options);
  @Module({
    imports: [
      TypeOrmModule.forRoot(options),
      MessagingModule.forService({ natsUrl, namespace, serviceName: 'ticks', consumer: { maxDeliveries: 3, maxBatch: 10, upkeepMs: 500 } }),
    ],
    providers: [TickHandler],
  })
  class TicksModule {}
  const app = await NestFactory.createApplicationContext(TicksModule, { logger: false });
  await app.init();
  return app;
}

/** Rejections nobody handled while a test ran: a fault must never leave one behind. */
function watchUnhandledRejections(): { reasons: string[]; stop: () => void } {
  const reasons: string[] = [];
  const listener = (reason: unknown) => reasons.push(String(reason));
  process.on('unhandledRejection', listener);
  return { reasons, stop: () => process.off('unhandledRejection', listener) };
}

async function addEvents(app: INestApplicationContext, names: string[], contract = TICKED): Promise<void> {
  await app.get(DataSource).transaction(async (manager) => {
    for (const [n, name] of names.entries()) await app.get(Outbox).add(manager, contract, { name, n });
  });
}

async function seenCounts(app: INestApplicationContext, prefix: string): Promise<Map<string, number>> {
  const rows: { name: string; seen: number }[] = await app.get(DataSource).query(`select name, seen from ticks.ticks where name like $1`, [`${prefix}%`]);
  return new Map(rows.map((row) => [row.name, row.seen]));
}

/** Waits until every one of `names` is handled, then checks none was handled twice. */
async function expectEachHandledOnce(app: INestApplicationContext, prefix: string, names: string[]): Promise<void> {
  await waitFor(async () => (await seenCounts(app, prefix)).size === names.length, { timeoutMs: 60_000, what: `all ${names.length} ${prefix} events` });
  const seen = await seenCounts(app, prefix);
  expect([...seen.keys()].sort()).toEqual([...names].sort());
  expect([...seen.values()].every((count) => count === 1)).toBe(true);
}

const names = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${i}`);

describe('events heal: outages, lost consumers and streams, restarts, shutdown', () => {
  const env = new TestEnvironment();
  let nc: NatsConnection;

  beforeAll(async () => {
    await env.setUp();
    nc = await connect({ servers: NATS_URL });
  });

  afterAll(async () => {
    await nc?.close();
    await env.tearDown();
  });

  it('a PostgreSQL outage longer than the parking threshold parks nothing: every event is handled once after it', async () => {
    const cluster = await PostgresCluster.create();
    const namespace = `${env.namespace}pg`;
    const app = await startService(cluster.url, NATS_URL, namespace);
    try {
      const consumer = app.get(EventConsumer);
      const deliveries: number[] = [];
      const handleBatch = consumer.handleBatch.bind(consumer);
      jest.spyOn(consumer, 'handleBatch').mockImplementation(async (batch: JsMsg[]) => {
        deliveries.push(...batch.map((msg) => msg.info.deliveryCount));
        return handleBatch(batch);
      });
      await addEvents(app, names('before-', 5));
      await expectEachHandledOnce(app, 'before-', names('before-', 5));

      const listenerOf = () => (app.get(OutboxRelay) as unknown as { listener?: object }).listener;
      const listenerBefore = listenerOf();
      await cluster.crash();
      // Events keep coming while the database is away (published by another service).
      await app.get(EventStream).publishAll(names('during-', 8).map((name, n) => ({ subject: TICKED.subject, data: JSON.stringify({ name, n }), id: `during-${n}` })));
      // Each event is delivered more often than the parking threshold (3) while it cannot be handled.
      await waitFor(async () => deliveries.some((count) => count >= 5), { timeoutMs: 60_000, what: 'deliveries beyond the parking threshold' });
      await cluster.start();

      await expectEachHandledOnce(app, 'during-', names('during-', 8));
      // The relay listens for the outbox's NOTIFY again, on a new connection (not only polling).
      await waitFor(async () => app.get(OutboxRelay).listening && listenerOf() !== listenerBefore, { what: 'the outbox listener back' });
      expect(await app.get(DataSource).query(`select event_id from ticks.parked_events`)).toEqual([]);
      // The outage counted as no failure of any event.
      expect(await app.get(DataSource).query(`select event_id from ticks.event_failures`)).toEqual([]);
    } finally {
      await app.close();
      await cluster.destroy();
      const jsm = await nc.jetstreamManager();
      await jsm.streams.delete(app.get(EventStream).streamName).catch(() => undefined);
    }
  });

  it('a consumer deleted from the stream is made again where it stood, and the stream too: none skipped, none doubled', async () => {
    await env.query(`create schema if not exists ticks`);
    const app = await startService(env.databaseUrl, NATS_URL, env.namespace);
    try {
      const stream = app.get(EventStream);
      const jsm = await nc.jetstreamManager();
      await addEvents(app, names('first-', 20));
      await addEvents(app, names('tock-first-', 5), TOCKED);
      await expectEachHandledOnce(app, 'first-', names('first-', 20));
      const consumers = (await jsm.consumers.list(stream.streamName).next()).map((c) => c.name).sort();
      expect(consumers).toEqual(['ticks--tick_happened_v1--packs', 'ticks--tock_happened_v1--packs']);
      // Its position is on record before it goes.
      await waitFor(async () => (await env.query(`select consumer from ticks.event_consumer_positions`)).length === 2, { what: 'recorded positions' });

      // Each consumer in turn is deleted while events are written: they flow again, none skipped.
      for (const [round, name] of consumers.entries()) {
        await jsm.consumers.delete(stream.streamName, name);
        await addEvents(app, names(`gone-${round}-`, 30));
        await addEvents(app, names(`tock-gone-${round}-`, 10), TOCKED);
        await expectEachHandledOnce(app, `gone-${round}-`, names(`gone-${round}-`, 30));
        await expectEachHandledOnce(app, `tock-gone-${round}-`, names(`tock-gone-${round}-`, 10));
      }
      await waitFor(async () => (await jsm.consumers.list(stream.streamName).next()).length === 2, { what: 'both consumers back' });

      // The stream itself is deleted: it is made again, with the consumers, and what is written after flows.
      await jsm.streams.delete(stream.streamName);
      await addEvents(app, names('after-stream-', 25));
      await expectEachHandledOnce(app, 'after-stream-', names('after-stream-', 25));
      await addEvents(app, names('tock-after-stream-', 5), TOCKED);
      await expectEachHandledOnce(app, 'tock-after-stream-', names('tock-after-stream-', 5));
      // Nothing handled before came again as new work.
      await expectEachHandledOnce(app, 'first-', names('first-', 20));
      expect(await env.query(`select event_id from ticks.parked_events`)).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('after NATS is killed (-9) and restarted: no unhandled rejection, every event handled once, and the relay packs again', async () => {
    const server = await NatsServerProcess.start('');
    const cluster = await PostgresCluster.create();
    const rejections = watchUnhandledRejections();
    const app = await startService(cluster.url, server.url, 'restart');
    const own = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
    try {
      await addEvents(app, names('pre-', 10));
      await expectEachHandledOnce(app, 'pre-', names('pre-', 10));

      const jsm = await own.jetstreamManager();
      const streamName = app.get(EventStream).streamName;
      const lastSeq = async () => (await jsm.streams.info(streamName)).state.last_seq;
      const packSizes = async (from: number, to: number) =>
        (await Promise.all(Array.from({ length: to - from }, (_, i) => jsm.streams.getMessage(streamName, { seq: from + 1 + i })))).map((m) => m.header?.get(PACK_HEADER));
      const beforeCrash = await lastSeq();
      await server.kill();
      // Written while NATS is away: they wait in the outbox.
      await addEvents(app, names('while-down-', 20));
      // Long enough for the relay and the consumers to try, fail and reconnect.
      await waitFor(async () => (await app.get(DataSource).query(`select count(*)::int as n from ticks.outbox`))[0].n === 20, { what: 'events held in the outbox' });
      await new Promise((resolve) => setTimeout(resolve, 3000));
      await server.restart();

      await expectEachHandledOnce(app, 'while-down-', names('while-down-', 20));
      // One pack (not twenty messages) carries the twenty events written together, right after the restart as later.
      const afterRestart = await lastSeq();
      expect(await packSizes(beforeCrash, afterRestart)).toEqual(['20']);
      await addEvents(app, names('post-', 20));
      await expectEachHandledOnce(app, 'post-', names('post-', 20));
      expect(await packSizes(afterRestart, await lastSeq())).toEqual(['20']);
      expect(rejections.reasons).toEqual([]);
    } finally {
      rejections.stop();
      await own.close();
      await app.close();
      await server.stop();
      await cluster.destroy();
    }
  });

  it('on shutdown the batch under way finishes and what is buffered is handed back at once, not left to ack_wait', async () => {
    const namespace = `${env.namespace}stop`;
    await env.query(`drop schema if exists ticks cascade`);
    const app = await startService(env.databaseUrl, NATS_URL, namespace);
    const stream = app.get(EventStream);
    const handler = app.get(TickHandler);
    const jsm = await nc.jetstreamManager();
    try {
      let open!: () => void;
      handler.gate = new Promise((resolve) => (open = resolve));
      // Single messages: the first holds its batch at the gate, the others wait in the buffer.
      await stream.publishAll(names('gated-', 1).concat(names('held-', 20)).map((name, n) => ({ subject: TICKED.subject, data: JSON.stringify({ name, n }), id: `${name}-${namespace}` })));
      await waitFor(async () => handler.entered > 0, { what: 'the gated batch' });
      await waitFor(async () => (await jsm.consumers.info(stream.streamName, 'ticks--tick_happened_v1--packs')).num_ack_pending === 21, { what: 'all delivered' });
      const stopping = app.get(EventConsumer).beforeApplicationShutdown();
      setTimeout(() => open(), 500);
      await stopping;
      // The gated event (and any taken in its batch) was handled, and acknowledged, before the stop returned.
      expect([...(await seenCounts(app, 'gated-')).values()]).toEqual([1]);
      const handled = [...(await seenCounts(app, 'held-')).keys()];
      // What this replica held goes to the next reader at once (another replica; here a plain
      // pull), not after ack_wait (30 s): within a few seconds, every held event but none handled.
      const next = await nc.jetstream().consumers.get(stream.streamName, 'ticks--tick_happened_v1--packs');
      const handedBack = new Set<string>();
      const started = Date.now();
      while (handedBack.size + handled.length < 19 && Date.now() - started < 5000) {
        const fetched = await next.fetch({ max_messages: 30, expires: 1000 });
        for await (const msg of fetched) {
          handedBack.add(msg.json<Tick>().name);
          msg.ack();
        }
      }
      // nats-server 2.9 may still hand the first of them to the pull just stopped (it notices the
      // pull has no listener only then): that one waits out ack_wait; all the others come at once.
      const all = names('held-', 20);
      expect([...handedBack].filter((name) => handled.includes(name))).toEqual([]);
      expect([...handedBack].every((name) => all.includes(name))).toBe(true);
      expect(handedBack.size + handled.length).toBeGreaterThanOrEqual(19);
      expect(handedBack.size).toBeGreaterThan(10);
      expect((await seenCounts(app, 'held-')).size).toBe(handled.length);
    } finally {
      await app.close();
      await jsm.streams.delete(stream.streamName).catch(() => undefined);
    }
  });

  it('a message delivered again while its first copy still waits replaces it: the buffer holds each message once', async () => {
    const namespace = `${env.namespace}buf`;
    const app = await startService(env.databaseUrl, NATS_URL, namespace);
    const handler = app.get(TickHandler);
    try {
      let open!: () => void;
      handler.gate = new Promise((resolve) => (open = resolve));
      const consumer = app.get(EventConsumer) as unknown as { receive: (msg: JsMsg) => void; buffer: JsMsg[] };
      const message = (seq: number, name: string) =>
        ({ seq, subject: app.get(EventStream).subjectOf(TICKED.subject), headers: undefined, string: () => JSON.stringify({ name, n: seq }), info: { deliveryCount: 1 }, ack: jest.fn(), nak: jest.fn(), term: jest.fn() }) as unknown as JsMsg;
      consumer.receive(message(1, 'gated-buf'));
      await waitFor(async () => handler.entered > 0, { what: 'the gated batch' });
      // ack_wait ran out while the batch hung: JetStream delivers the waiting ones again, and again.
      for (let round = 0; round < 5; round++) for (let seq = 2; seq <= 11; seq++) consumer.receive(message(seq, `buffered-${seq}`));
      expect(consumer.buffer.map((msg) => msg.seq)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
      // Beyond what the consumers may hold unacknowledged, a message is handed back, not kept.
      const overflow = Array.from({ length: 200 }, (_, i) => message(100 + i, `overflow-${i}`));
      for (const msg of overflow) consumer.receive(msg);
      expect(consumer.buffer.length).toBeLessThanOrEqual(100 * 2);
      expect(overflow.filter((msg) => (msg.nak as jest.Mock).mock.calls.length > 0).length).toBeGreaterThan(0);
      open();
      await waitFor(async () => (await seenCounts(app, 'buffered-')).size === 10, { what: 'the buffered events' });
      expect([...(await seenCounts(app, 'buffered-')).values()].every((count) => count === 1)).toBe(true);
    } finally {
      await app.close();
      await (await nc.jetstreamManager()).streams.delete(app.get(EventStream).streamName).catch(() => undefined);
    }
  });
});
