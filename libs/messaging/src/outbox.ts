import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { EventContract } from '@connector/contracts';
import { Client } from 'pg';
import { bulkInsert, newRowId, sessionOf } from '@connector/persistence';
import { DataSource, EntityManager } from 'typeorm';
import { PACK_READER_SUFFIX, packEvents, packLimitFor } from './event-pack';
import { EventStream, isStreamMissing, STREAM_MAX_AGE_DAYS } from './event-stream';
import { OutboxMessage } from './messaging.entities';
import { outboxPublished } from './messaging.metrics';
import { currentCorrelationId, housekeeping, PeriodicWorker, retry } from '@connector/workers';

/**
 * An event on its way into the outbox: made only by `OutboxEvent.of`, which checks the payload
 * against the contract, so a list of events of several kinds stays typed.
 */
export class OutboxEvent {
  /** Type only (never set): makes the class nominal, so a plain `{ subject, payload }` is no OutboxEvent. */
  declare private readonly madeByOf: never;

  private constructor(
    readonly subject: string,
    readonly payload: object,
  ) {}

  static of<Payload extends object>(contract: EventContract<Payload>, payload: NoInfer<Payload>): OutboxEvent {
    return new OutboxEvent(contract.subject, payload);
  }
}

/** Writes events inside the caller's transaction, with the correlation id of the work under way. */
@Injectable()
export class Outbox {
  async add<Payload extends object>(manager: EntityManager, contract: EventContract<Payload>, payload: NoInfer<Payload>): Promise<string> {
    const id = newRowId();
    await manager.insert(OutboxMessage, { id, subject: contract.subject, payload, correlationId: currentCorrelationId() ?? null });
    return id;
  }

  async addMany(manager: EntityManager, events: OutboxEvent[]): Promise<void> {
    if (events.length === 0) return;
    const correlationId = currentCorrelationId() ?? null;
    await bulkInsert(
      manager,
      OutboxMessage,
      events.map((event) => ({ id: newRowId(), subject: event.subject, payload: event.payload, correlationId })),
    );
  }
}

const BATCH = 500;
/**
 * Bytes of events a relay takes out at a time (as PostgreSQL stores them): 500 events of up
 * to 1 MiB each would hold half a gigabyte in memory; a batch stops at the event that crosses this.
 */
const BATCH_BYTES = 8 * 1024 * 1024;
const POLL_MS = 2000;
const PACK_CHECK_MS = 10_000;

/**
 * Publishes committed outbox rows to JetStream in order, packed (event-pack.ts), each event
 * with its row id, and removes them. Woken by the outbox's NOTIFY at commit; polls as a fallback.
 * Replicas share the work through `for update skip locked`.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private listener?: Client;
  private stopped = false;
  /** The last answer of everyReaderReadsPacks (unknown until one could be had). */
  private packCheck?: { at: number; packs: boolean };
  private readonly relay = new PeriodicWorker({
    name: 'outbox relay',
    pass: () => this.drain(),
    everyMs: POLL_MS,
    onError: (message) => this.logger.warn(`${message}; will retry`),
  });
  private readonly pruning = housekeeping('outbox pruning', () => this.dataSource, () => this.prune(), (message) => this.logger.warn(message));

  constructor(
    private readonly dataSource: DataSource,
    private readonly stream: EventStream,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.stream.ensureStream();
    await this.listen();
    this.relay.start();
    this.pruning.start();
  }

  /** LISTENs for the outbox's NOTIFY on a connection of its own; a lost one is made again (see listenAgain). */
  private async listen(): Promise<void> {
    const options = this.dataSource.options as { schema?: string };
    // With the pool's timeouts and TCP keepalive: a database that goes silent drops it, and it is made again.
    const listener = sessionOf(this.dataSource);
    listener.on('error', (err) => {
      this.logger.warn(`outbox listener: ${err.message}`);
      if (this.listener === listener) this.listenAgain();
    });
    listener.on('end', () => {
      if (this.listener === listener) this.listenAgain();
    });
    listener.on('notification', () => this.kick());
    try {
      await listener.connect();
      await listener.query(`listen "${options.schema}_outbox"`);
    } catch (err) {
      await listener.end().catch(() => undefined);
      throw err;
    }
    this.listener = listener;
  }

  /**
   * The listening connection was lost (PostgreSQL restarted, say): the relay polls meanwhile, and
   * listens again as soon as PostgreSQL takes it, then publishes what was committed in between.
   */
  private listenAgain(): void {
    const lost = this.listener;
    this.listener = undefined;
    void lost?.end().catch(() => undefined);
    if (this.stopped) return;
    void retry(async () => (this.stopped ? undefined : this.listen()), { attempts: Number.MAX_SAFE_INTEGER, baseMs: 500, maxMs: 15_000, retriable: () => !this.stopped })
      .then(() => {
        if (this.stopped || !this.listener) return;
        this.logger.log('outbox listener is back');
        this.kick();
      })
      .catch(() => undefined);
  }

  /** Whether the NOTIFY connection is up (for tests). */
  get listening(): boolean {
    return !!this.listener;
  }

  kick(): void {
    this.relay.kick();
  }

  /** Publishes until nothing is left. Returns the number of events published. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const { published, full } = await this.publishBatch();
      total += published;
      if (!full || this.stopped) return total;
    }
  }

  private async publishBatch(): Promise<{ published: number; full: boolean }> {
    try {
      const batch = await this.takeAndPublish();
      // Counted once committed: a rolled-back batch goes out again.
      outboxPublished.inc(batch.published);
      return batch;
    } catch (err) {
      // The stream was deleted (or lost with NATS's store): made again, the rows, still in the
      // outbox, go out on the next pass.
      if (isStreamMissing(err)) {
        this.logger.warn(`stream ${this.stream.streamName} is gone: making it again`);
        this.stream.forgetStream();
        await this.stream.ensureStream().catch(() => undefined);
      }
      throw err;
    }
  }

  private async takeAndPublish(): Promise<{ published: number; full: boolean }> {
    // Asked before the transaction, so no row stays locked while NATS answers.
    const packs = await this.everyReaderReadsPacks();
    const packLimit = packLimitFor(await this.stream.maxPayload());
    return this.dataSource.transaction(async (manager) => {
      // Taken out of the outbox and published in one transaction: if publishing fails, the
      // rollback puts them back. Deleting costs a fraction of marking a row published (an
      // update copies the whole row); the stream keeps the events themselves. The payload
      // comes as text: it goes out as it is, with no parse and re-serialisation here.
      // (TypeORM gives a DELETE's rows with its count.)
      // At most BATCH rows and BATCH_BYTES (the row that crosses it goes, so a large one still does).
      const [rows]: [{ id: string; position: string; subject: string; payload: string; bytes: number; correlation_id: string | null }[], number] = await manager.query(
        `with locked as (
           select id, position, pg_column_size(payload) as bytes from outbox where published_at is null order by position limit $1 for update skip locked
         ), taken as (
           select id from (select id, sum(bytes) over (order by position) - bytes as before from locked) sized where before < $2
         )
         delete from outbox where id in (select id from taken)
         returning id, position, subject, payload::text as payload, pg_column_size(payload) as bytes, correlation_id`,
        [BATCH, BATCH_BYTES],
      );
      if (rows.length === 0) return { published: 0, full: false };
      rows.sort((a, b) => Number(a.position) - Number(b.position));
      // Issued in order on one connection, so the stream keeps the outbox order.
      const events = rows.map((row) => ({ id: row.id, subject: row.subject, payload: row.payload, correlationId: row.correlation_id ?? undefined }));
      const messages = packs ? packEvents(events, packLimit) : events.map((event) => ({ subject: event.subject, data: event.payload, id: event.id, correlationId: event.correlationId }));
      await this.stream.publishAll(messages);
      // A batch cut short by bytes crossed BATCH_BYTES: there is more.
      const bytes = rows.reduce((sum, row) => sum + Number(row.bytes), 0);
      return { published: rows.length, full: rows.length === BATCH || bytes >= BATCH_BYTES };
    });
  }

  /**
   * Whether every durable consumer on the stream reads packs (PACK_READER_SUFFIX); if one
   * does not, or the answer cannot be had, events go one per message, as before packs.
   * Asked again at most every PACK_CHECK_MS.
   */
  private async everyReaderReadsPacks(): Promise<boolean> {
    if (this.packCheck && Date.now() - this.packCheck.at < PACK_CHECK_MS) return this.packCheck.packs;
    try {
      const jsm = await this.stream.manager();
      const consumers = await jsm.consumers.list(this.stream.streamName).next();
      const packs = consumers.every((c) => !c.config.durable_name || c.name.endsWith(PACK_READER_SUFFIX));
      this.packCheck = { at: Date.now(), packs };
      return packs;
    } catch (err) {
      // NATS away (reconnecting, say): nothing could be published now anyway. The last answer
      // stands; without one this pass fails and the next asks again. (Answering "one message
      // per event" here left the relays unpacked for a while after every NATS restart.)
      if (this.packCheck && !isStreamMissing(err)) return this.packCheck.packs;
      throw new Error(`could not list the stream's consumers: ${err.message}`);
    }
  }

  /**
   * Housekeeping: rows an older version's relay marked published go after a day; processed-event
   * ids are kept only as long as the stream could still redeliver their event.
   */
  async prune(): Promise<void> {
    await this.dataSource.query(`delete from outbox where published_at < now() - interval '1 day'`);
    await this.dataSource.query(`delete from processed_events where processed_at < now() - make_interval(days => $1)`, [STREAM_MAX_AGE_DAYS + 1]);
    await this.dataSource.query(`delete from event_failures where failed_at < now() - make_interval(days => $1)`, [STREAM_MAX_AGE_DAYS + 1]);
  }

  /** The batch under way finishes (published and removed, or rolled back whole) before NATS and the database close. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.onApplicationShutdown();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.pruning.stop();
    await this.relay.stop();
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
  }
}
