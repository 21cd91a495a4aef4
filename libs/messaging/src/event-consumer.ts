import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validate } from 'class-validator';
import { AckPolicy, ConsumerEvents, ConsumerInfo, ConsumerMessages, DeliverPolicy, JsMsg } from 'nats';
import { DataSource } from 'typeorm';
import { PACK_HEADER, PACK_READER_SUFFIX, unpackEvents } from './event-pack';
import { EventStream } from './event-stream';
import { ParkedEvent } from './messaging.entities';
import { EventBatchContext, EventContext, EventHandlerMetadata, ON_EVENT } from './on-event.decorator';
import { backoffDelay, SingleFlight, transactionWithHooks } from '@connector/workers';

/** Between deliveries of an event whose handler failed: 0.5 s, 1 s, … 60 s, spread out. */
const REDELIVERY_BACKOFF = { baseMs: 500, maxMs: 60_000 };

/** How a delivered message's events went: it is settled from this once all are done. */
interface MessageOutcome {
  events: number;
  parked: number;
  /** Set when one of its events is to be tried again. */
  retryInMs?: number;
}

/** A delivered message (one event, or a pack of them) of a subject this service handles. */
interface Routed {
  msg: JsMsg;
  subject: string;
  handlers: Handler[];
  outcome: MessageOutcome;
}

/** One event of a delivered message, validated and ready for its handlers. */
interface Delivery extends Routed {
  eventId: string;
  /** The event as JSON text, for parking it. */
  raw: () => string;
  payload: object;
}

const NOT_JSON = Symbol('not JSON');

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

/** A handler may throw anything, not only an Error. */
function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Messages a consumer pulls at a time, as many as it may have unacknowledged (max_ack_pending). */
const PULL_MESSAGES = 100;

/** Events in a message: a pack says how many it holds. */
function eventsIn(msg: JsMsg): number {
  return Number(msg.headers?.get(PACK_HEADER)) || 1;
}

type Handler = EventHandlerMetadata & {
  run: (payload: object | object[], context: EventContext | EventBatchContext) => Promise<void>;
  /** The properties its payload class declares: all it gets of an event, and all that is checked. */
  declared: Set<string>;
};

export interface EventConsumerSettings {
  /** The durable consumer's name: one per service, shared by its replicas. */
  durableName: string;
  /** Deliveries after which a failing event is parked instead of retried. */
  maxDeliveries: number;
  /** Events handled in one transaction by one replica (fewer round trips under load). */
  maxBatch: number;
}

export class ValidationFailure extends Error {}

export interface PlannedConsumer {
  /** Durable name: `<service>--<what it reads>`. */
  name: string;
  filter: string;
}

/**
 * A service reads only the events it handles: one durable consumer per event family (the
 * subject's first segment, e.g. `order`), filtered on the one subject it handles in that
 * family, or on the whole family if it handles several. Events of one family keep their
 * order (a cancellation is never seen before the order it cancels); families are independent.
 * (nats-server 2.9 allows one filter per consumer, hence a consumer per family.) Names end in
 * PACK_READER_SUFFIX: this version reads event packs.
 */
export function consumerPlan(service: string, subjectPrefix: string, subjects: string[]): PlannedConsumer[] {
  const families = new Map<string, string[]>();
  for (const subject of subjects) {
    const family = subject.split('.')[0];
    families.set(family, [...(families.get(family) ?? []), subject]);
  }
  return [...families].map(([family, members]) => {
    const reads = members.length === 1 ? members[0] : `${family}.>`;
    const what = reads.replace(/[.>*]/g, (c) => (c === '.' ? '_' : c === '>' ? 'all' : 'any'));
    return { name: `${service}--${what}${PACK_READER_SUFFIX}`, filter: `${subjectPrefix}${reads}` };
  });
}

/** Whether a consumer filtered on `wide` receives every event one filtered on `narrow` does. */
function covers(wide: string, narrow: string): boolean {
  return wide === narrow || (wide.endsWith('>') && narrow.startsWith(wide.slice(0, -1)));
}

/**
 * The service's durable JetStream consumers (see consumerPlan). Discovers @OnEvent handlers, validates each
 * event, runs the handler in a transaction with the processed-event record (so a redelivery
 * is a no-op), acks after commit, naks with back-off on failure, and parks poison.
 */
@Injectable()
export class EventConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(EventConsumer.name);
  private readonly handlers = new Map<string, Handler[]>();
  private messages: ConsumerMessages[] = [];
  /** Delivered and not yet handled; whatever piles up while a batch runs is the next batch. */
  private readonly buffer: JsMsg[] = [];
  private runner = new SingleFlight(
    () => this.drainBuffer(),
    (err) => this.logger.error(`event batch failed unexpectedly: ${err.message}`),
  );

  constructor(
    private readonly stream: EventStream,
    private readonly dataSource: DataSource,
    private readonly settings: EventConsumerSettings,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.discoverHandlers();
    if (this.handlers.size === 0) return;
    await this.stream.ensureStream();
    const plan = consumerPlan(this.settings.durableName, this.stream.subjectPrefix, this.subjects());
    await this.ensureConsumers(plan);
    const js = await this.stream.jetstream();
    this.messages = [];
    for (const { name } of plan) {
      const consumer = await js.consumers.get(this.stream.streamName, name);
      // A callback, not the async iterator: the iterator costs ~10x the CPU per message.
      const messages = await consumer.consume({
        // Messages, not bytes: a pull limited by bytes stalls for good on a message larger than
        // what is left of it, behind a backlog (nats-server answers 409 each time). A message
        // holds at most a pack of 256 KiB (event-pack.ts) or one event: 100 are about 25 MiB
        // at their largest, a few MiB as events are.
        max_messages: PULL_MESSAGES,
        callback: (msg) => {
          this.buffer.push(msg);
          this.runner.kick();
        },
      });
      this.messages.push(messages);
      void this.watch(name, messages).catch(() => undefined);
    }
  }

  /**
   * Creates the planned consumers that are missing and deletes this service's others (an
   * older plan's). A new consumer starts where the service's consumers that read any of its
   * subjects stood: at the first event one of them had not acknowledged, or after the
   * stream's last event if all of them were caught up. So an upgrade neither replays handled
   * events nor skips pending ones, and a subject new to a running service is read from now
   * on (as a new handler always was). A service's very first start reads the whole stream.
   */
  private async ensureConsumers(plan: PlannedConsumer[]): Promise<void> {
    const jsm = await this.stream.manager();
    const ours = (await jsm.consumers.list(this.stream.streamName).next()).filter(
      (c) => c.name === this.settings.durableName || c.name.startsWith(`${this.settings.durableName}--`),
    );
    const next = (await jsm.streams.info(this.stream.streamName)).state.last_seq + 1;
    const position = (c: ConsumerInfo) => (c.num_pending === 0 && c.num_ack_pending === 0 ? next : c.ack_floor.stream_seq + 1);
    for (const { name, filter } of plan) {
      if (ours.some((c) => c.name === name)) continue;
      const overlapping = ours.filter((c) => covers(c.config.filter_subject ?? '>', filter) || covers(filter, c.config.filter_subject ?? '>'));
      const startSeq = overlapping.length ? Math.min(...overlapping.map(position)) : ours.length ? next : undefined;
      const config = {
        durable_name: name,
        ack_policy: AckPolicy.Explicit,
        ...(startSeq ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: startSeq } : { deliver_policy: DeliverPolicy.All }),
        filter_subject: filter,
        ack_wait: 30 * 1e9,
        // Messages, and a message may be a pack of up to 100 events: at most about 10,000
        // events in flight, seconds of work, well within ack_wait.
        max_ack_pending: PULL_MESSAGES,
      };
      await jsm.consumers.add(this.stream.streamName, config).catch(async (err) => {
        // A replica starting at the same time may have added it first.
        await jsm.consumers.info(this.stream.streamName, name).catch(() => {
          throw err;
        });
      });
    }
    for (const stale of ours.filter((c) => !plan.some((p) => p.name === c.name))) {
      await jsm.consumers.delete(this.stream.streamName, stale.name).then(
        () => this.logger.log(`replaced event consumer ${stale.name}`),
        // Left on the stream, it keeps the relay from sending packs: say so, loudly.
        (err) => this.logger.error(`could not delete the old event consumer ${stale.name} (delete it by hand: nats consumer rm): ${err.message}`),
      );
    }
  }

  /** A replica of another version may delete a consumer this one reads: say so loudly. */
  private async watch(name: string, messages: ConsumerMessages): Promise<void> {
    for await (const status of await messages.status()) {
      if (status.type === ConsumerEvents.ConsumerDeleted || status.type === ConsumerEvents.ConsumerNotFound) {
        this.logger.error(`event consumer ${name} is gone (${status.type}): this replica receives none of its events until restarted`);
      }
    }
  }

  subjects(): string[] {
    return [...this.handlers.keys()];
  }

  private discoverHandlers(): void {
    this.handlers.clear();
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance);
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const meta = this.reflector.get<EventHandlerMetadata>(ON_EVENT, prototype[method]);
        if (!meta) continue;
        const list = this.handlers.get(meta.subject) ?? [];
        // An event is parsed once for all its handlers, so they must read it through one class.
        if (list.length && list[0].payloadClass !== meta.payloadClass) {
          throw new Error(`handlers of ${meta.subject} declare different payload classes (${list[0].payloadClass.name}, ${meta.payloadClass.name}); use one`);
        }
        list.push({
          ...meta,
          run: (payload, context) => (instance[method] as Function).call(instance, payload, context),
          declared: list[0]?.declared ?? new Set(getMetadataStorage().getTargetValidationMetadatas(meta.payloadClass, '', true, false).map((m) => m.propertyName)),
        });
        this.handlers.set(meta.subject, list);
      }
    }
  }

  /** Takes whole messages, about `maxBatch` events at a time (a pack is never split). */
  private async drainBuffer(): Promise<void> {
    while (this.buffer.length) {
      let take = 0;
      for (let events = 0; take < this.buffer.length && (take === 0 || events + eventsIn(this.buffer[take]) <= this.settings.maxBatch); take++) {
        events += eventsIn(this.buffer[take]);
      }
      await this.handleBatch(this.buffer.splice(0, take));
    }
  }

  /**
   * Handles a batch of messages in one transaction, in delivery order: one dedup insert for
   * all their events, then each handler, then one commit, then the acks. If anything in it
   * fails, the batch is rolled back and its events are handled one by one, so one bad event
   * costs only itself. A message is settled once all its events are: acked when handled (or
   * parked), negatively acked with back-off when one of them is to be tried again.
   */
  async handleBatch(batch: JsMsg[]): Promise<void> {
    // Events of a family this service reads but has no handler for are acked first, without
    // awaiting in between, so their acks leave in one write rather than one each.
    const ours = batch.map((msg) => this.route(msg)).filter((routed) => routed !== undefined);
    const ready: Delivery[] = [];
    for (const routed of ours) ready.push(...(await this.prepare(routed)));
    if (ready.length === 1) await this.handleOne(ready[0]);
    else if (ready.length > 1) await this.handleTogether(ready);
    // (Should anything above throw, nothing is settled: the messages come again after ack_wait.)
    for (const { msg, outcome } of ours) this.settle(msg, outcome);
  }

  private async handleTogether(ready: Delivery[]): Promise<void> {
    try {
      await transactionWithHooks(this.dataSource, async (manager, afterCommit) => {
        const inserted: { event_id: string }[] = await manager.query(
          `insert into processed_events (event_id, subject) select * from unnest($1::text[], $2::text[])
           on conflict do nothing returning event_id`,
          [ready.map((d) => d.eventId), ready.map((d) => d.subject)],
        );
        const fresh = new Set(inserted.map((row) => row.event_id));
        // Handled before (or twice in this batch): skipped.
        const todo = ready.filter((d) => fresh.delete(d.eventId));
        // Runs of the same subject go to batch handlers together; order across subjects is kept.
        for (let start = 0; start < todo.length; ) {
          let end = start + 1;
          while (end < todo.length && todo[end].subject === todo[start].subject) end++;
          const run = todo.slice(start, end);
          for (const handler of run[0].handlers) {
            if (handler.batch) await handler.run(run.map((d) => d.payload), { manager, subject: run[0].subject, afterCommit });
            else for (const d of run) await handler.run(d.payload, { manager, eventId: d.eventId, subject: d.subject, afterCommit });
          }
          start = end;
        }
      }, (err) => this.logger.warn(`after handling a batch: ${err.message}`));
    } catch (err) {
      this.logger.warn(`a batch of ${ready.length} events failed (${reasonOf(err)}); handling them one by one`);
      for (const d of ready) await this.handleOne(d);
    }
  }

  /** Handles one delivered message on its own; exposed for tests. */
  async handle(msg: JsMsg): Promise<void> {
    await this.handleBatch([msg]);
  }

  /** The message's subject and handlers; a message this service does not handle is acked here. */
  private route(msg: JsMsg): Routed | undefined {
    const subject = this.stream.eventSubjectOf(msg.subject);
    const handlers = this.handlers.get(subject);
    if (handlers) return { msg, subject, handlers, outcome: { events: 0, parked: 0 } };
    msg.ack();
    return undefined;
  }

  /** The message's events that parse; the others are parked. */
  private async prepare(routed: Routed): Promise<Delivery[]> {
    const { msg, handlers, outcome } = routed;
    const messageId = msg.headers?.get('Nats-Msg-Id') || `${this.stream.streamName}:${msg.seq}`;
    const body = msg.string();
    let events: { eventId: string; data?: unknown; raw: () => string; unreadable?: string }[];
    if (msg.headers?.get(PACK_HEADER)) {
      try {
        events = unpackEvents(body).map((e) => ({ eventId: e.id, data: e.payload, raw: () => JSON.stringify(e.payload) }));
      } catch (err) {
        events = [{ eventId: messageId, raw: () => body, unreadable: `not a pack of events: ${err.message}` }];
      }
    } else {
      events = [{ eventId: messageId, raw: () => body, data: parseJson(body) }];
    }
    outcome.events = events.length;
    const ready: Delivery[] = [];
    for (const event of events) {
      try {
        if (event.unreadable) throw new ValidationFailure(event.unreadable);
        ready.push({ ...routed, eventId: event.eventId, raw: event.raw, payload: await this.parse(event.data, handlers[0]) });
      } catch (err) {
        await this.park(routed, event.eventId, event.raw(), reasonOf(err));
      }
    }
    return ready;
  }

  private async handleOne(delivery: Delivery): Promise<void> {
    const { msg, eventId, subject, raw, handlers, payload, outcome } = delivery;
    try {
      await transactionWithHooks(this.dataSource, async (manager, afterCommit) => {
        const inserted: unknown[] = await manager.query(
          `insert into processed_events (event_id, subject) values ($1, $2) on conflict do nothing returning event_id`,
          [eventId, subject],
        );
        if (inserted.length === 0) return; // Handled before: a redelivery.
        for (const handler of handlers) await handler.run(handler.batch ? [payload] : payload, { manager, eventId, subject, afterCommit });
      }, (err) => this.logger.warn(`after handling ${subject} ${eventId}: ${err.message}`));
    } catch (err) {
      const deliveries = msg.info.deliveryCount;
      if (deliveries >= this.settings.maxDeliveries) {
        await this.park(delivery, eventId, raw(), `failed ${deliveries} times, last: ${reasonOf(err)}`);
        return;
      }
      const delayMs = backoffDelay(deliveries, REDELIVERY_BACKOFF);
      this.logger.warn(`${subject} ${eventId} failed (delivery ${deliveries}), retry in ${delayMs} ms: ${reasonOf(err)}`);
      outcome.retryInMs = Math.min(outcome.retryInMs ?? delayMs, delayMs);
    }
  }

  /**
   * Acks a message whose events are all handled or parked (terminates it if all were
   * parked); asks for it again when one of its events is to be retried. Its events handled
   * meanwhile are skipped then, by their processed-event records.
   */
  private settle(msg: JsMsg, outcome: MessageOutcome): void {
    if (outcome.retryInMs !== undefined) msg.nak(outcome.retryInMs);
    else if (outcome.events > 0 && outcome.parked === outcome.events) msg.term();
    else msg.ack();
  }

  private async parse(data: unknown, { payloadClass, declared }: Handler): Promise<object> {
    if (data === NOT_JSON) throw new ValidationFailure('payload is not JSON');
    if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new ValidationFailure('payload is not a JSON object');
    // The handler gets, and so we check, only what its payload class declares: a consumer that
    // reads three fields of a large event neither pays for nor depends on the rest.
    const picked = Object.fromEntries(Object.entries(data).filter(([key]) => declared.has(key)));
    const payload = plainToInstance(payloadClass, picked);
    const errors = await validate(payload, { forbidUnknownValues: true });
    if (errors.length) {
      const fields = errors.map((e) => `${e.property}: ${Object.values(e.constraints ?? { nested: 'invalid' }).join(', ')}`);
      throw new ValidationFailure(`invalid ${payloadClass.name}: ${fields.join('; ')}`);
    }
    return payload;
  }

  /**
   * Records the event as parked, and as processed: should its message come again for a sibling
   * event's retry, it is not run again. If that fails, the message comes again rather than the
   * event being lost.
   */
  private async park({ msg, subject, outcome }: Routed, eventId: string, raw: string, reason: string): Promise<void> {
    this.logger.error(`parked ${subject} ${eventId}: ${reason}`);
    try {
      await this.dataSource.transaction(async (manager) => {
        await manager
          .createQueryBuilder()
          .insert()
          .into(ParkedEvent)
          .values({ eventId, subject, payload: raw, reason, deliveries: msg.info.deliveryCount })
          .orUpdate(['reason', 'deliveries'], ['event_id'])
          .execute();
        await manager.query(`insert into processed_events (event_id, subject) values ($1, $2) on conflict do nothing`, [eventId, subject]);
      });
      outcome.parked++;
    } catch (err) {
      outcome.retryInMs = Math.min(outcome.retryInMs ?? 5000, 5000);
      this.logger.error(`could not park ${eventId}: ${reasonOf(err)}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    for (const messages of this.messages) messages.stop();
    await Promise.all(this.messages.map((messages) => messages.closed().catch(() => undefined)));
    this.messages = [];
    // Only the batch under way finishes; what is still buffered is redelivered after ack_wait.
    this.buffer.length = 0;
    await this.runner.stop();
    this.runner = new SingleFlight(() => this.drainBuffer(), (err) => this.logger.error(`event batch failed unexpectedly: ${err.message}`));
  }
}
