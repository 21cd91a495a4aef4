import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { ConsumerMessages, JsMsg } from 'nats';
import { DataSource } from 'typeorm';
import { consumerPlan } from './consumer-plan';
import { ensureConsumers, PULL_MESSAGES, watchConsumer } from './durable-consumers';
import { decodeEvents, eventsIn, reasonOf, validatedPayload, ValidationFailure } from './event-decoding';
import { discoverEventHandlers, EventHandler } from './event-handlers';
import { EventParking } from './event-parking';
import { EventStream } from './event-stream';
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
  handlers: EventHandler[];
  outcome: MessageOutcome;
}

/** One event of a delivered message, validated and ready for its handlers. */
interface Delivery extends Routed {
  eventId: string;
  /** The event as JSON text, for parking it. */
  raw: () => string;
  payload: object;
}

export interface EventConsumerSettings {
  /** The durable consumer's name: one per service, shared by its replicas. */
  durableName: string;
  /** Deliveries after which a failing event is parked instead of retried. */
  maxDeliveries: number;
  /** Events handled in one transaction by one replica (fewer round trips under load). */
  maxBatch: number;
}

/**
 * The service's durable JetStream consumers (see consumerPlan). Discovers @OnEvent handlers, validates each
 * event, runs the handler in a transaction with the processed-event record (so a redelivery
 * is a no-op), acks after commit, naks with back-off on failure, and parks poison.
 */
@Injectable()
export class EventConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(EventConsumer.name);
  private handlers = new Map<string, EventHandler[]>();
  private messages: ConsumerMessages[] = [];
  /** Delivered and not yet handled; whatever piles up while a batch runs is the next batch. */
  private readonly buffer: JsMsg[] = [];
  private readonly parking: EventParking;
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
  ) {
    this.parking = new EventParking(dataSource, this.logger);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.handlers = discoverEventHandlers(this.discovery, this.scanner, this.reflector);
    if (this.handlers.size === 0) return;
    await this.stream.ensureStream();
    const plan = consumerPlan(this.settings.durableName, this.stream.subjectPrefix, this.subjects());
    await ensureConsumers(this.stream, this.settings.durableName, plan, this.logger);
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
      void watchConsumer(name, messages, this.logger).catch(() => undefined);
    }
  }

  subjects(): string[] {
    return [...this.handlers.keys()];
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
    const events = decodeEvents(msg, this.stream.streamName);
    outcome.events = events.length;
    const ready: Delivery[] = [];
    for (const event of events) {
      try {
        if (event.unreadable) throw new ValidationFailure(event.unreadable);
        ready.push({ ...routed, eventId: event.eventId, raw: event.raw, payload: await validatedPayload(event.data, handlers[0]) });
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

  /** Parks the event (see EventParking); if that fails, its message comes again. */
  private async park({ msg, subject, outcome }: Routed, eventId: string, raw: string, reason: string): Promise<void> {
    if (await this.parking.park(subject, eventId, raw, reason, msg.info.deliveryCount)) outcome.parked++;
    else outcome.retryInMs = Math.min(outcome.retryInMs ?? 5000, 5000);
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
