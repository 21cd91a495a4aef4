import { randomBytes } from 'node:crypto';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { INestApplicationContext } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IsInt, IsOptional, IsString } from 'class-validator';
import { AckPolicy, connect, DeliverPolicy, headers, NatsConnection } from 'nats';
import { Column, DataSource, Entity, MigrationInterface, PrimaryColumn, QueryRunner } from 'typeorm';
import { eventContract } from '@connector/contracts';
import { runMigrations, serviceDataSourceOptions } from '@connector/persistence';
import { NATS_URL, ScrapedMetrics, TestEnvironment, waitFor } from '@connector/test-environment';
import { register } from 'prom-client';
import { EventConsumer } from './event-consumer';
import { PACK_HEADER, packEvents } from './event-pack';
import { EventStream } from './event-stream';
import { MESSAGING_MIGRATIONS } from './messaging-tables.migration';
import { MESSAGING_ENTITIES } from './messaging.entities';
import { MessagingModule } from './messaging.module';
import { EventBatchContext, EventContext, OnEvent, OnEvents } from './on-event.decorator';
import { Outbox, OutboxEvent, OutboxRelay } from './outbox';
import { ParkedEvents } from './parked-events';
import { RpcException } from '@nestjs/microservices';
import { inWorkContext, workContext } from '@connector/workers';

class ThingHappened {
  @IsString() name: string;
  @IsInt() attempt: number;
  /** As order and delivery events name them. */
  @IsOptional() @IsString() accountId?: string;
  @IsOptional() @IsString() amazonOrderId?: string;
}
// Events of this test only, declared as the connector's are in libs/contracts.
const THING_HAPPENED = eventContract({ subject: 'thing.happened.v1', version: 1, payload: ThingHappened });

@Entity({ name: 'things' })
class Thing {
  @PrimaryColumn('text') name: string;
  @Column('int') seen: number;
}

class ThingsTable1764300000001 implements MigrationInterface {
  name = 'ThingsTable1764300000001';
  async up(q: QueryRunner) {
    await q.query(`create table things (name text primary key, seen int not null)`);
  }
  async down(q: QueryRunner) {
    await q.query(`drop table things`);
  }
}

/** Fails on purpose as told, so the tests can see nak, rollback and parking. */
@Injectable()
class ThingHandler {
  calls: string[] = [];
  failuresLeft = new Map<string, number>();
  /** The correlation id each event was handled under. */
  correlationIds = new Map<string, string | undefined>();
  /** The whole work context each event was handled under. */
  contexts = new Map<string, object>();

  @OnEvent(THING_HAPPENED)
  async handle(event: ThingHappened, { manager }: EventContext) {
    this.calls.push(event.name);
    this.correlationIds.set(event.name, workContext().correlationId);
    this.contexts.set(event.name, workContext());
    await manager.query(`insert into things (name, seen) values ($1, 1) on conflict (name) do update set seen = things.seen + 1`, [event.name]);
    const left = this.failuresLeft.get(event.name) ?? 0;
    if (left > 0) {
      this.failuresLeft.set(event.name, left - 1);
      throw new Error(`${event.name} fails on purpose`);
    }
  }
}

const THINGS_COUNTED = eventContract({ subject: 'things.counted.v1', version: 1, payload: ThingHappened });

/** A batch handler: gets the events of a run together. */
@Injectable()
class CountingHandler {
  batches: number[][] = [];
  /** The correlation id each batch was handled under. */
  correlationIds: (string | undefined)[] = [];

  @OnEvents(THINGS_COUNTED)
  async handle(events: ThingHappened[], { manager }: EventBatchContext) {
    this.batches.push(events.map((e) => e.attempt));
    this.correlationIds.push(workContext().correlationId);
    await manager.query(`insert into things (name, seen) select 'counted-' || n, 1 from unnest($1::int[]) as n`, [events.map((e) => e.attempt)]);
  }
}

describe('durable events: outbox, relay and consumer on real PostgreSQL and NATS JetStream', () => {
  const env = new TestEnvironment();
  let app: INestApplicationContext;
  let dataSource: DataSource;
  let handler: ThingHandler;
  let nc: NatsConnection;

  beforeAll(async () => {
    await env.setUp();
    const options = serviceDataSourceOptions({
      database: env.databaseUrl,
      schema: 'things',
      entities: [Thing, ...MESSAGING_ENTITIES],
      migrations: [...MESSAGING_MIGRATIONS, ThingsTable1764300000001],
    });
    // Three replicas starting at once: the advisory lock lets exactly one migrate.
    const applied = await Promise.all([runMigrations(options), runMigrations(options), runMigrations(options)]);
    expect(applied.flat().sort()).toEqual(['AlertEpisodes1765200000000', 'EventHealing1764500000000', 'MessagingTables1764300000000', 'OutboxCorrelationId1765100000000', 'OutboxPayloadAsJson1764400000000', 'ThingsTable1764300000001']);

    @Module({
      imports: [
        TypeOrmModule.forRoot(options),
        MessagingModule.forService({ natsUrl: NATS_URL, namespace: env.namespace, serviceName: 'things', consumer: { maxDeliveries: 3, maxBatch: 10 } }),
      ],
      providers: [ThingHandler, CountingHandler],
    })
    class ThingsModule {}
    app = await NestFactory.createApplicationContext(ThingsModule, { logger: false });
    await app.init();
    dataSource = app.get(DataSource);
    handler = app.get(ThingHandler);
    nc = await connect({ servers: NATS_URL });
  });

  afterAll(async () => {
    await nc?.close();
    await app?.close();
    await env.tearDown();
  });

  const seen = async (name: string) => (await dataSource.query(`select seen from things.things where name = $1`, [name]))[0]?.seen;

  it('publishes an event written in a transaction, and the handler runs once', async () => {
    await dataSource.transaction((manager) => app.get(Outbox).add(manager, THING_HAPPENED, { name: 'first', attempt: 1 }));
    await waitFor(async () => (await seen('first')) === 1, { what: 'the handler' });
    // Published events leave the outbox.
    await waitFor(async () => (await dataSource.query(`select count(*)::int as n from things.outbox`))[0].n === 0, { what: 'an empty outbox' });
    expect(await dataSource.query(`select subject from things.processed_events`)).toEqual([{ subject: THING_HAPPENED.subject }]);
  });

  it('an event carries the correlation id of the work that wrote it: its handler runs under it (and under none if it had none)', async () => {
    const outbox = app.get(Outbox);
    await inWorkContext({ correlationId: 'request-1' }, () => dataSource.transaction((manager) => outbox.add(manager, THING_HAPPENED, { name: 'correlated-1', attempt: 1 })));
    await inWorkContext({ correlationId: 'run-2' }, () =>
      dataSource.transaction((manager) =>
        outbox.addMany(manager, [OutboxEvent.of(THING_HAPPENED, { name: 'correlated-2', attempt: 1 }), OutboxEvent.of(THING_HAPPENED, { name: 'correlated-3', attempt: 1 })]),
      ),
    );
    await dataSource.transaction((manager) => outbox.add(manager, THING_HAPPENED, { name: 'uncorrelated', attempt: 1 }));
    await waitFor(async () => (await seen('uncorrelated')) === 1 && (await seen('correlated-3')) === 1, { what: 'the handler' });
    expect(Object.fromEntries(['correlated-1', 'correlated-2', 'correlated-3', 'uncorrelated'].map((name) => [name, handler.correlationIds.get(name)]))).toEqual({
      'correlated-1': 'request-1',
      'correlated-2': 'run-2',
      'correlated-3': 'run-2',
      uncorrelated: undefined,
    });
  });

  it('an event that names an account and an Amazon order is handled with them in its work context', async () => {
    await inWorkContext({ correlationId: 'validation-1' }, () =>
      dataSource.transaction((manager) => app.get(Outbox).add(manager, THING_HAPPENED, { name: 'of-an-order', attempt: 1, accountId: 'account-1', amazonOrderId: '305-1234567-1234567' })),
    );
    await waitFor(async () => (await seen('of-an-order')) === 1, { what: 'the handler' });
    expect(handler.contexts.get('of-an-order')).toEqual({ correlationId: 'validation-1', accountId: 'account-1', amazonOrderId: '305-1234567-1234567' });
  });

  it('publishes nothing when the transaction rolls back', async () => {
    await expect(
      dataSource.transaction(async (manager) => {
        await app.get(Outbox).add(manager, THING_HAPPENED, { name: 'rolled-back', attempt: 1 });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    // An event written after it is handled in order: had the rolled-back one gone out, it would
    // have been handled first.
    await dataSource.transaction((manager) => app.get(Outbox).add(manager, THING_HAPPENED, { name: 'after-rollback', attempt: 1 }));
    await waitFor(async () => (await seen('after-rollback')) === 1, { what: 'the event after the rollback' });
    expect(handler.calls).not.toContain('rolled-back');
    expect(await seen('rolled-back')).toBeUndefined();
  });

  it('a redelivered event (same id) is acknowledged and changes nothing', async () => {
    const stream = app.get(EventStream);
    const payload = JSON.stringify({ name: 'twice', attempt: 1 });
    await nc.jetstream().publish(stream.subjectOf(THING_HAPPENED.subject), payload, { msgID: 'event-twice' });
    await waitFor(async () => (await seen('twice')) === 1, { what: 'the first delivery' });
    // JetStream redelivers when an ack is lost (say the replica died right after its commit).
    const redelivery = {
      subject: stream.subjectOf(THING_HAPPENED.subject),
      headers: { get: (key: string) => (key === 'Nats-Msg-Id' ? 'event-twice' : '') },
      seq: 1,
      string: () => payload,
      info: { deliveryCount: 2 },
      ack: jest.fn(),
      nak: jest.fn(),
      term: jest.fn(),
    };
    await app.get(EventConsumer).handle(redelivery as never);
    expect(redelivery.ack).toHaveBeenCalledTimes(1);
    expect(redelivery.nak).not.toHaveBeenCalled();
    expect(await seen('twice')).toBe(1);
  });

  it('retries a failing handler with back-off; its writes of failed attempts are rolled back', async () => {
    const event = { event_type: THING_HAPPENED.subject };
    const metricsBefore = new ScrapedMetrics(await register.metrics());
    handler.failuresLeft.set('flaky', 2);
    await dataSource.transaction((manager) => app.get(Outbox).add(manager, THING_HAPPENED, { name: 'flaky', attempt: 1 }));
    await waitFor(async () => (await seen('flaky')) === 1, { timeoutMs: 20_000, what: 'the third attempt' });
    expect(handler.calls.filter((name) => name === 'flaky')).toHaveLength(3);
    // In the metrics: two deliveries again, one event handled (its failed tries are not).
    const metrics = new ScrapedMetrics(await register.metrics());
    expect(metrics.sum('connector_event_redeliveries_total', event) - metricsBefore.sum('connector_event_redeliveries_total', event)).toBe(2);
    expect(metrics.histogramCount('connector_event_processing_seconds', event) - metricsBefore.histogramCount('connector_event_processing_seconds', event)).toBe(1);
  });

  it('parks an event that fails validation, with the reason, without running the handler', async () => {
    const stream = app.get(EventStream);
    await nc.jetstream().publish(stream.subjectOf(THING_HAPPENED.subject), JSON.stringify({ name: 42 }), { msgID: 'poison-1' });
    const [parked] = await waitFor(async () => {
      const rows = await dataSource.query(`select reason, deliveries from things.parked_events where event_id = 'poison-1'`);
      return rows.length ? rows : undefined;
    }, { what: 'the parked event' });
    expect(parked.reason).toContain('invalid ThingHappened');
    expect(parked.reason).toContain('name');
    expect(handler.calls).not.toContain(42 as unknown as string);
  });

  it('a pack of events is handled event by event: the invalid one is parked alone, the others are handled once', async () => {
    const stream = app.get(EventStream);
    const events = [
      { id: 'pack-1', subject: THING_HAPPENED.subject, payload: JSON.stringify({ name: 'pack-a', attempt: 1 }) },
      { id: 'pack-2', subject: THING_HAPPENED.subject, payload: JSON.stringify({ name: 7 }) },
      { id: 'pack-3', subject: THING_HAPPENED.subject, payload: JSON.stringify({ name: 'pack-b', attempt: 1 }) },
    ];
    const packs = packEvents(events);
    expect(packs).toHaveLength(1);
    await stream.publishAll(packs);
    await waitFor(async () => (await seen('pack-a')) === 1 && (await seen('pack-b')) === 1, { what: 'the pack\'s valid events' });
    const parked = await waitFor(async () => {
      const rows = await dataSource.query(`select event_id, payload, deliveries from things.parked_events where event_id like 'pack-%'`);
      return rows.length ? rows : undefined;
    }, { what: 'the parked event' });
    expect(parked).toEqual([{ event_id: 'pack-2', payload: '{"name":7}', deliveries: 1 }]);
    // All three are done with; the parked one is not run should the pack come again.
    expect((await dataSource.query(`select event_id from things.processed_events where event_id like 'pack-%' order by 1`)).map((r: { event_id: string }) => r.event_id)).toEqual(['pack-1', 'pack-2', 'pack-3']);
    // Acknowledged, not delivered again.
    const jsm = await nc.jetstreamManager();
    await waitFor(async () => (await jsm.consumers.info(stream.streamName, 'things--thing_happened_v1--packs')).num_ack_pending === 0, { what: 'the ack' });
  });

  it('parks a message that says it is a pack but is not one, whole', async () => {
    const stream = app.get(EventStream);
    const h = headers();
    h.set(PACK_HEADER, '2');
    await nc.jetstream().publish(stream.subjectOf(THING_HAPPENED.subject), '{"name":"not-a-pack"}', { msgID: 'bad-pack', headers: h });
    const [parked] = await waitFor(async () => {
      const rows = await dataSource.query(`select payload, reason from things.parked_events where event_id = 'bad-pack'`);
      return rows.length ? rows : undefined;
    }, { what: 'the parked message' });
    expect(parked).toEqual({ payload: '{"name":"not-a-pack"}', reason: expect.stringContaining('not a pack of events') });
    expect(await seen('not-a-pack')).toBeUndefined();
  });

  it('a parked event is not run again when its message comes again (say its ack was lost)', async () => {
    const stream = app.get(EventStream);
    handler.failuresLeft.set('parked-once', 100);
    const [pack] = packEvents([
      { id: 'again-1', subject: THING_HAPPENED.subject, payload: JSON.stringify({ name: 'parked-once', attempt: 1 }) },
      { id: 'again-2', subject: THING_HAPPENED.subject, payload: JSON.stringify({ name: 'beside-parked', attempt: 1 }) },
    ]);
    const delivery = (deliveryCount: number) => ({
      subject: stream.subjectOf(THING_HAPPENED.subject),
      headers: { get: (key: string) => (key === 'Nats-Msg-Id' ? pack.id : key === PACK_HEADER ? String(pack.pack) : '') },
      seq: 1,
      string: () => pack.data,
      info: { deliveryCount },
      ack: jest.fn(),
      nak: jest.fn(),
      term: jest.fn(),
    });
    // Two failures of its own: the message is asked again each time; its sibling is handled once.
    for (const count of [1, 2]) {
      const early = delivery(count);
      await app.get(EventConsumer).handle(early as never);
      expect(early.nak).toHaveBeenCalledTimes(1);
    }
    // Its third failure (the limit): the failing event is parked, its sibling handled, the message acked.
    const last = delivery(3);
    await app.get(EventConsumer).handle(last as never);
    expect(last.ack).toHaveBeenCalledTimes(1);
    expect(await seen('beside-parked')).toBe(1);
    expect(await dataSource.query(`select event_id, deliveries from things.parked_events where event_id like 'again-%'`)).toEqual([{ event_id: 'again-1', deliveries: 3 }]);
    // The ack is lost and the message comes once more, when the parked event would succeed:
    // it must stay parked (an operator may replay it), not be handled behind the operator's back.
    handler.failuresLeft.set('parked-once', 0);
    const callsBefore = handler.calls.length;
    const again = delivery(4);
    await app.get(EventConsumer).handle(again as never);
    expect(again.ack).toHaveBeenCalledTimes(1);
    expect(handler.calls.slice(callsBefore)).toEqual([]);
    expect(await seen('parked-once')).toBeUndefined();
    expect(await seen('beside-parked')).toBe(1);
  });

  it('parks an event whose handler keeps failing, after the configured deliveries', async () => {
    const parkedSoFar = async () => new ScrapedMetrics(await register.metrics()).sum('connector_events_parked_total', { event_type: THING_HAPPENED.subject });
    const parkedBefore = await parkedSoFar();
    handler.failuresLeft.set('hopeless', 100);
    await dataSource.transaction((manager) => app.get(Outbox).add(manager, THING_HAPPENED, { name: 'hopeless', attempt: 1 }));
    const [parked] = await waitFor(async () => {
      const rows = await dataSource.query(`select reason, deliveries from things.parked_events where subject = $1 and payload like '%hopeless%'`, [THING_HAPPENED.subject]);
      return rows.length ? rows : undefined;
    }, { timeoutMs: 20_000, what: 'the parked event' });
    expect(parked).toMatchObject({ deliveries: 3 });
    expect(parked.reason).toContain('hopeless fails on purpose');
    expect(await seen('hopeless')).toBeUndefined();
    expect((await parkedSoFar()) - parkedBefore).toBe(1);
  });

  it('parked events are listed (paged), shown (payload withheld where buyers\' data may be), replayed and discarded', async () => {
    const parked = app.get(ParkedEvents);
    const rpcError = async (work: Promise<unknown>) => {
      try {
        await work;
      } catch (err) {
        return (err as RpcException).getError();
      }
      throw new Error('expected a refusal');
    };
    // Paged, oldest first, each with its reason and deliveries.
    const first = await parked.list({ limit: 2, state: 'parked' });
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toBeDefined();
    const all = [...first.items, ...(await parked.list({ limit: 500, state: 'parked', cursor: first.nextCursor })).items];
    expect(all.map((e) => e.eventId)).toEqual(expect.arrayContaining(['poison-1', 'pack-2', 'bad-pack', 'again-1']));
    expect(new Set(all.map((e) => e.eventId)).size).toBe(all.length);
    expect(all.find((e) => e.eventId === 'poison-1')).toMatchObject({ service: 'things', subject: THING_HAPPENED.subject, reason: expect.stringContaining('invalid ThingHappened'), deliveries: 1, discardedAt: null });
    expect(await rpcError(parked.list({ state: 'parked', cursor: 'not-ours' }))).toMatchObject({ statusCode: 400 });

    // The payload only of events known to carry no buyers' data.
    await dataSource.query(
      `insert into things.parked_events (event_id, subject, payload, reason, deliveries) values
       ('show-1', 'delivery.created.v1', '{"deliveryId":"d"}', 'test', 1), ('hide-1', 'order.synced.v1', '{"giftMessage":"Happy birthday, Erika"}', 'test', 1)`,
    );
    expect(await parked.get('show-1')).toMatchObject({ payload: '{"deliveryId":"d"}', payloadRedacted: false });
    expect(await parked.get('hide-1')).toMatchObject({ payload: null, payloadRedacted: true });
    expect(await parked.get('poison-1')).toMatchObject({ payload: null, payloadRedacted: true });
    expect(await rpcError(parked.get('no-such-event'))).toMatchObject({ statusCode: 404 });

    // Replay: still failing, it stays parked and says why; once it can succeed, it is handled once and leaves the list.
    const [{ event_id: hopeless }] = await dataSource.query(`select event_id from things.parked_events where payload like '%hopeless%'`);
    expect(await rpcError(parked.replay(hopeless))).toMatchObject({ statusCode: 409, message: expect.stringContaining('hopeless fails on purpose') });
    expect(await seen('hopeless')).toBeUndefined();
    expect((await parked.get(hopeless)).discardedAt).toBeNull();
    handler.failuresLeft.set('hopeless', 0);
    expect(await parked.replay(hopeless)).toMatchObject({ eventId: hopeless, outcome: 'replayed' });
    expect(await seen('hopeless')).toBe(1);
    expect(await rpcError(parked.get(hopeless))).toMatchObject({ statusCode: 404 });
    // An event that is still invalid cannot be replayed: nothing changes.
    expect(await rpcError(parked.replay('poison-1'))).toMatchObject({ statusCode: 409, message: expect.stringContaining('invalid ThingHappened') });

    // Discard: kept, marked, no longer waiting (nor counted); not twice, and not replayed after.
    const waiting = await parked.waiting();
    expect(await parked.discard('poison-1')).toMatchObject({ eventId: 'poison-1', outcome: 'discarded', discardedAt: expect.any(String) });
    expect(await parked.waiting()).toBe(waiting - 1);
    expect((await parked.list({ limit: 500, state: 'parked' })).items.map((e) => e.eventId)).not.toContain('poison-1');
    expect((await parked.list({ limit: 500, state: 'discarded' })).items.map((e) => e.eventId)).toEqual(['poison-1']);
    expect(await rpcError(parked.discard('poison-1'))).toMatchObject({ statusCode: 409 });
    expect(await rpcError(parked.replay('poison-1'))).toMatchObject({ statusCode: 409, message: expect.stringContaining('discarded') });
    await dataSource.query(`delete from things.parked_events where event_id in ('show-1', 'hide-1')`);
  });

  it('an event published while the consumer was down is handled when it comes back', async () => {
    const consumer = app.get(EventConsumer);
    await consumer.onApplicationShutdown();
    await dataSource.transaction((manager) => app.get(Outbox).add(manager, THING_HAPPENED, { name: 'while-down', attempt: 1 }));
    await app.get(OutboxRelay).drain();
    expect(await seen('while-down')).toBeUndefined();
    await consumer.onApplicationBootstrap();
    await waitFor(async () => (await seen('while-down')) === 1, { what: 'the event after restart' });
  });

  it('a backlog of many small messages with a large pack behind it is all delivered when the consumer comes back', async () => {
    // Pulls limited by bytes rather than messages left the large pack undeliverable behind a
    // backlog (the server refuses a message larger than what is left of a pull, over and over).
    const consumer = app.get(EventConsumer);
    await consumer.onApplicationShutdown();
    const stream = app.get(EventStream);
    const small = Array.from({ length: 300 }, (_, i) => ({ subject: THING_HAPPENED.subject, data: JSON.stringify({ name: `backlog-${i}`, attempt: 1 }), id: `backlog-${i}` }));
    await stream.publishAll(small);
    const large = packEvents(Array.from({ length: 3 }, (_, i) => ({ id: `backlog-large-${i}`, subject: THING_HAPPENED.subject, payload: JSON.stringify({ name: `backlog-large-${i}-${'x'.repeat(80_000)}`, attempt: 1 }) })));
    expect(large).toHaveLength(1);
    await stream.publishAll(large);
    await consumer.onApplicationBootstrap();
    await waitFor(async () => {
      const [{ n }] = await dataSource.query(`select count(*)::int as n from things.things where name like 'backlog-%'`);
      return n === 303;
    }, { timeoutMs: 20_000, what: 'all 303 events' });
  });

  it('handles a burst in batches, in order, exactly once; one failing event does not hold the others back', async () => {
    handler.failuresLeft.set('burst-7', 1);
    await dataSource.transaction(async (manager) => {
      for (let i = 0; i < 40; i++) await app.get(Outbox).add(manager, THING_HAPPENED, { name: `burst-${i}`, attempt: 1 });
    });
    await waitFor(async () => {
      const [{ n }] = await dataSource.query(`select count(*)::int as n from things.things where name like 'burst-%'`);
      return n === 40;
    }, { timeoutMs: 20_000, what: 'all 40 events' });
    const rows: { seen: number }[] = await dataSource.query(`select seen from things.things where name like 'burst-%'`);
    expect(rows.every((row) => row.seen === 1)).toBe(true);
    const calls = handler.calls.filter((name) => name.startsWith('burst-'));
    // Delivery order is kept (the failing one comes again after its back-off).
    const firstSeen = [...new Set(calls)];
    expect(firstSeen.slice(0, 7)).toEqual(['burst-0', 'burst-1', 'burst-2', 'burst-3', 'burst-4', 'burst-5', 'burst-6']);
  });

  it('prunes rows an older relay marked published after a day, and processed ids once the stream cannot redeliver them', async () => {
    await dataSource.query(`insert into things.outbox (id, subject, payload, published_at) values ('00000000-0000-4000-8000-00000000000a', 'x', '{}', now() - interval '2 days')`);
    await dataSource.query(`insert into things.processed_events (event_id, subject, processed_at) values ('ancient', 'x', now() - interval '30 days')`);
    await app.get(OutboxRelay).prune();
    expect(await dataSource.query(`select id from things.outbox where id = '00000000-0000-4000-8000-00000000000a'`)).toEqual([]);
    expect(await dataSource.query(`select event_id from things.processed_events where event_id = 'ancient'`)).toEqual([]);
    // What is recent stays.
    expect((await dataSource.query(`select count(*)::int as n from things.processed_events where processed_at > now() - interval '1 day'`))[0].n).toBeGreaterThan(0);
  });

  it('leaves a row an older relay marked published to that relay: it is not published again', async () => {
    await dataSource.query(`insert into things.outbox (id, subject, payload, published_at) values ('00000000-0000-4000-8000-00000000000b', $1, '{"name":"old-relay","attempt":1}', now())`, [THING_HAPPENED.subject]);
    await app.get(OutboxRelay).drain();
    expect(await dataSource.query(`select id from things.outbox where id = '00000000-0000-4000-8000-00000000000b'`)).toEqual([{ id: '00000000-0000-4000-8000-00000000000b' }]);
    await dataSource.query(`delete from things.outbox where id = '00000000-0000-4000-8000-00000000000b'`);
  });

  it('gives a batch handler the events of a run together, in order, each once', async () => {
    await dataSource.transaction(async (manager) => {
      await app.get(Outbox).addMany(manager, Array.from({ length: 30 }, (_, i) => OutboxEvent.of(THINGS_COUNTED, { name: 'count', attempt: i + 1 })));
    });
    await waitFor(async () => (await dataSource.query(`select count(*)::int as n from things.things where name like 'counted-%'`))[0].n === 30, { what: 'all 30 counted' });
    const counting = app.get(CountingHandler);
    expect(counting.batches.flat()).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(counting.batches.length).toBeLessThan(30);
  });

  it('gives a batch handler runs of events of one correlation id, under it', async () => {
    const counting = app.get(CountingHandler);
    const before = counting.batches.length;
    for (const [correlationId, first] of [['run-a', 101], ['run-b', 201]] as const) {
      await inWorkContext({ correlationId }, () =>
        dataSource.transaction((manager) => app.get(Outbox).addMany(manager, Array.from({ length: 10 }, (_, i) => OutboxEvent.of(THINGS_COUNTED, { name: 'count', attempt: first + i })))),
      );
    }
    await waitFor(() => counting.batches.slice(before).flat().length === 20, { what: 'all 20 counted' });
    const underEach = (correlationId: string) => counting.batches.flatMap((batch, i) => (i >= before && counting.correlationIds[i] === correlationId ? batch : []));
    expect(underEach('run-a')).toEqual(Array.from({ length: 10 }, (_, i) => 101 + i));
    expect(underEach('run-b')).toEqual(Array.from({ length: 10 }, (_, i) => 201 + i));
  });

  it('reads only the subjects it handles, and a consumer of an older plan is replaced where it had acknowledged', async () => {
    const stream = app.get(EventStream);
    const jsm = await nc.jetstreamManager();
    const names = async () => (await jsm.consumers.list(stream.streamName).next()).map((c) => `${c.name} ${c.config.filter_subject}`).sort();
    expect(await names()).toEqual([
      `things--thing_happened_v1--packs ${env.namespace}.events.thing.happened.v1`,
      `things--things_counted_v1--packs ${env.namespace}.events.things.counted.v1`,
    ]);

    // An installation from before: one consumer `things` reading everything, up to date.
    const consumer = app.get(EventConsumer);
    await consumer.onApplicationShutdown();
    for (const name of ['things--thing_happened_v1--packs', 'things--things_counted_v1--packs']) await jsm.consumers.delete(stream.streamName, name);
    await jsm.consumers.add(stream.streamName, { durable_name: 'things', ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.New, filter_subject: `${env.namespace}.events.>` });
    const legacy = await nc.jetstream().consumers.get(stream.streamName, 'things');
    await dataSource.transaction((manager) => app.get(Outbox).add(manager, THING_HAPPENED, { name: 'seen-by-legacy', attempt: 1 }));
    await app.get(OutboxRelay).drain();
    const delivered = await legacy.next({ expires: 5000 });
    delivered!.ack();
    await waitFor(async () => ((await jsm.consumers.info(stream.streamName, 'things')).num_ack_pending === 0 ? true : undefined), { what: 'the legacy ack' });
    await dataSource.transaction((manager) => app.get(Outbox).add(manager, THING_HAPPENED, { name: 'after-legacy', attempt: 1 }));
    await app.get(OutboxRelay).drain();

    const callsBefore = handler.calls.length;
    await consumer.onApplicationBootstrap();
    await waitFor(async () => (await seen('after-legacy')) === 1, { what: 'the event the legacy consumer had not acknowledged' });
    expect(await names()).toEqual([
      `things--thing_happened_v1--packs ${env.namespace}.events.thing.happened.v1`,
      `things--things_counted_v1--packs ${env.namespace}.events.things.counted.v1`,
    ]);
    // Nothing the legacy consumer had acknowledged came again.
    expect(handler.calls.slice(callsBefore)).toEqual(['after-legacy']);
  });

  it('publishes a batch in order and settles only when JetStream has stored every event', async () => {
    const stream = app.get(EventStream);
    const jsm = await nc.jetstreamManager();
    const before = (await jsm.streams.info(stream.streamName)).state.last_seq;
    const events = Array.from({ length: 5 }, (_, i) => ({ subject: 'audit.noted.v1', data: JSON.stringify({ i }), id: `audit-${i}` }));
    await stream.publishAll(events);
    // The same ids again: JetStream acknowledges them as duplicates and stores nothing.
    await stream.publishAll(events);
    const stored = await Promise.all(events.map((_, i) => jsm.streams.getMessage(stream.streamName, { seq: before + 1 + i })));
    expect(stored.map((m) => JSON.parse(new TextDecoder().decode(m.data)).i)).toEqual([0, 1, 2, 3, 4]);
    expect((await jsm.streams.info(stream.streamName)).state.last_seq).toBe(before + 5);
  });

  it('a publish no stream takes is refused, not taken for sent', async () => {
    const elsewhere = new EventStream({ natsUrl: NATS_URL, namespace: `${env.namespace}-nostream`, serviceName: 'things' });
    try {
      await expect(elsewhere.publishAll([{ subject: THING_HAPPENED.subject, data: '{}', id: 'lost-1' }])).rejects.toThrow(/no JetStream stream|did not acknowledge/);
    } finally {
      await elsewhere.onApplicationShutdown();
    }
  });

  // It stops the service's own relay: the tests after it publish through relays of their own.
  it('while the stream is gone, events stay in the outbox; the relay makes the stream again and they go out', async () => {
    await app.get(OutboxRelay).onApplicationShutdown();
    const elsewhere = new EventStream({ natsUrl: NATS_URL, namespace: `${env.namespace}-gone`, serviceName: 'things' });
    const jsm = await nc.jetstreamManager();
    try {
      await dataSource.transaction((manager) => app.get(Outbox).add(manager, THING_HAPPENED, { name: 'stream-gone', attempt: 1 }));
      await expect(new OutboxRelay(dataSource, elsewhere).drain()).rejects.toThrow(/stream not found|no JetStream stream/);
      expect(await dataSource.query(`select subject from things.outbox`)).toEqual([{ subject: THING_HAPPENED.subject }]);
      // The failed pass made the stream again: the next one publishes the event, once.
      expect(await new OutboxRelay(dataSource, elsewhere).drain()).toBe(1);
      expect(await dataSource.query(`select subject from things.outbox`)).toEqual([]);
      expect((await jsm.streams.info(elsewhere.streamName)).state.messages).toBe(1);
    } finally {
      await jsm.streams.delete(elsewhere.streamName).catch(() => undefined);
      await elsewhere.onApplicationShutdown();
    }
  });

  it('takes at most about 8 MiB of events out of the outbox at a time, in order', async () => {
    const stream = app.get(EventStream);
    const sizes: number[] = [];
    const publishAll = stream.publishAll.bind(stream);
    const spy = jest.spyOn(stream, 'publishAll').mockImplementation(async (events) => {
      sizes.push(events.reduce((sum, e) => sum + Buffer.byteLength(e.data), 0));
      return publishAll(events);
    });
    try {
      // Random text, so PostgreSQL cannot compress it below its size.
      await dataSource.transaction(async (manager) => {
        for (let i = 0; i < 24; i++) await app.get(Outbox).add(manager, THINGS_COUNTED, { name: randomBytes(450_000).toString('base64'), attempt: 1000 + i });
      });
      expect(await new OutboxRelay(dataSource, stream).drain()).toBe(24);
    } finally {
      spy.mockRestore();
    }
    // 24 events of 600 kB (14 MB): two batches at least, none much beyond 8 MiB.
    expect(sizes.length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...sizes)).toBeLessThan(8 * 1024 * 1024 + 700_000);
    await waitFor(async () => (await dataSource.query(`select count(*)::int as n from things.things where name like 'counted-10__'`))[0].n === 24, { what: 'all 24 large events' });
  });

  it('an event larger than the server takes holds its relay back with a clear error, sending nothing; nothing is dropped', async () => {
    const stream = app.get(EventStream);
    const jsm = await nc.jetstreamManager();
    const lastSeq = async () => (await jsm.streams.info(stream.streamName)).state.last_seq;
    const before = await lastSeq();
    const ids = await dataSource.transaction(async (manager) => [
      await app.get(Outbox).add(manager, THING_HAPPENED, { name: 'before-huge', attempt: 1 }),
      await app.get(Outbox).add(manager, THING_HAPPENED, { name: 'x'.repeat(await stream.maxPayload()), attempt: 1 }),
      await app.get(Outbox).add(manager, THING_HAPPENED, { name: 'after-huge', attempt: 1 }),
    ]);
    try {
      const failure = new OutboxRelay(dataSource, stream).drain();
      await expect(failure).rejects.toThrow(`event ${ids[1]} (${THING_HAPPENED.subject}) is `);
      await expect(failure).rejects.toThrow(/bytes; the NATS server takes at most \d+ with headers \(max_payload\)/);
      expect((await dataSource.query(`select id from things.outbox order by position`)).map((r: { id: string }) => r.id)).toEqual(ids);
      expect(await lastSeq()).toBe(before);
    } finally {
      // What an operator does, short of raising max_payload.
      await dataSource.query(`delete from things.outbox where id = $1`, [ids[1]]);
    }
    expect(await new OutboxRelay(dataSource, stream).drain()).toBe(2);
    await waitFor(async () => (await seen('before-huge')) === 1 && (await seen('after-huge')) === 1, { what: 'the events around it' });
  });

  // After the relay test above stopped the service's own relay: only the relays made here publish.
  it('a relay that cannot ask NATS who reads the stream (reconnecting) publishes nothing then, and packs once it can', async () => {
    const stream = app.get(EventStream);
    const jsm = await nc.jetstreamManager();
    const before = (await jsm.streams.info(stream.streamName)).state.last_seq;
    const ids: string[] = [];
    await dataSource.transaction(async (manager) => {
      for (const name of ['reconnect-1', 'reconnect-2', 'reconnect-3']) ids.push(await app.get(Outbox).add(manager, THING_HAPPENED, { name, attempt: 1 }));
    });
    // As right after a NATS restart: the first question about the stream's consumers goes unanswered.
    const manager = stream.manager.bind(stream);
    const spy = jest.spyOn(stream, 'manager').mockImplementationOnce(async () => {
      throw new Error('TIMEOUT');
    });
    try {
      const relay = new OutboxRelay(dataSource, stream);
      await expect(relay.drain()).rejects.toThrow(/TIMEOUT/);
      expect((await jsm.streams.info(stream.streamName)).state.last_seq).toBe(before);
      spy.mockImplementation(manager);
      expect(await relay.drain()).toBe(3);
    } finally {
      spy.mockRestore();
    }
    const stored = await jsm.streams.getMessage(stream.streamName, { seq: before + 1 });
    expect([stored.header.get(PACK_HEADER), (await jsm.streams.info(stream.streamName)).state.last_seq]).toEqual(['3', before + 1]);
    await waitFor(async () => (await seen('reconnect-3')) === 1, { what: 'the packed events' });
  });

  it('while a consumer of a version before packs reads the stream, the relay publishes one message per event, named by its outbox id', async () => {
    const stream = app.get(EventStream);
    const jsm = await nc.jetstreamManager();
    const publish = async (names: string[]) => {
      const before = (await jsm.streams.info(stream.streamName)).state.last_seq;
      const ids: string[] = [];
      await dataSource.transaction(async (manager) => {
        for (const name of names) ids.push(await app.get(Outbox).add(manager, THING_HAPPENED, { name, attempt: 1 }));
      });
      // A new relay asks afresh which consumers read the stream.
      await new OutboxRelay(dataSource, stream).drain();
      const after = (await jsm.streams.info(stream.streamName)).state.last_seq;
      const stored = await Promise.all(Array.from({ length: after - before }, (_, i) => jsm.streams.getMessage(stream.streamName, { seq: before + 1 + i })));
      return { ids, stored: stored.map((m) => [m.header.get('Nats-Msg-Id'), m.header.has(PACK_HEADER)]) };
    };
    await jsm.consumers.add(stream.streamName, { durable_name: 'older-reader', ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.New, filter_subject: stream.subjectOf(THING_HAPPENED.subject) });
    try {
      const older = await publish(['single-1', 'single-2']);
      expect(older.stored).toEqual([
        [older.ids[0], false],
        [older.ids[1], false],
      ]);
    } finally {
      await jsm.consumers.delete(stream.streamName, 'older-reader');
    }
    // The older consumer is gone: packs again.
    const newer = await publish(['packed-1', 'packed-2']);
    expect(newer.stored).toEqual([[expect.stringMatching(new RegExp(`^${newer.ids[0]}\\.\\.${newer.ids[1]}\\.`)), true]]);
    await waitFor(async () => {
      for (const name of ['single-1', 'single-2', 'packed-1', 'packed-2']) if ((await seen(name)) !== 1) return false;
      return true;
    }, { what: 'all four events' });
  });
});
