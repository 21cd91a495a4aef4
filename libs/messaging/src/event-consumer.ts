import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { ConsumerMessages, JsMsg } from 'nats';
import { DataSource } from 'typeorm';
import { errorClass } from './alerts';
import { consumerPlan, PlannedConsumer } from './consumer-plan';
import { ConsumerPositions, ensureConsumers, PULL_MESSAGES, streamIncarnation, watchConsumer } from './durable-consumers';
import { decodeEvents, eventsIn, parseEvent, reasonOf, validatedPayload, ValidationFailure } from './event-decoding';
import { discoverEventHandlers, EventHandler } from './event-handlers';
import { EventFailures, EventParking } from './event-parking';
import { EventStream, isStreamMissing } from './event-stream';
import { consumerAckPending, consumerPending, consumerRedelivered, eventProcessing, eventRedeliveries, eventsParked } from './messaging.metrics';
import { backoffDelay, inNewWorkContext, isDependencyOutage, PeriodicWorker, SingleFlight, transactionWithHooks, WorkContext } from '@connector/workers';

/** Between deliveries of an event whose handler failed: full jitter under a ceiling of 0.5 s, 1 s, … 60 s. */
const REDELIVERY_BACKOFF = { baseMs: 500, maxMs: 60_000 };
/**
 * Between deliveries while a dependency is away (PostgreSQL, NATS, another service): soon
 * enough that events flow again within seconds of its return, without spinning meanwhile.
 */
const OUTAGE_BACKOFF = { baseMs: 500, maxMs: 10_000 };
/** A message that finds the buffer full comes again after this. */
const BUFFER_FULL_RETRY_MS = 2000;
/** How long one pull request waits on the server (see startPulling). */
const PULL_EXPIRES_MS = 5000;
/** How often the consumers are checked (and re-made if gone) and their positions recorded. */
const UPKEEP_MS = 5000;

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
  /** Of the work that wrote the event: its handling logs (and writes its own events) under it. */
  correlationId?: string;
}

export interface EventConsumerSettings {
  /** The durable consumer's name: one per service, shared by its replicas. */
  durableName: string;
  /**
   * Failures of an event's own (its handler threw, and not because a dependency is away) after
   * which it is parked instead of retried. Deliveries during an outage do not count.
   */
  maxDeliveries: number;
  /** Events handled in one transaction by one replica (fewer round trips under load). */
  maxBatch: number;
  /** How often the consumers are checked and their positions recorded (default 5 s). */
  upkeepMs?: number;
  /** The service it consumes for (raises its `event.parked` alerts); default durableName. */
  serviceName?: string;
}

/**
 * The service's durable JetStream consumers (see consumerPlan). Discovers @OnEvent handlers, validates each
 * event, runs the handler in a transaction with the processed-event record (so a redelivery
 * is a no-op), acks after commit, naks with back-off on failure, and parks poison. Keeps its
 * consumers on the stream: one deleted (or the stream itself) is made again where it stood.
 */
@Injectable()
export class EventConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(EventConsumer.name);
  private handlers = new Map<string, EventHandler[]>();
  private plan: PlannedConsumer[] = [];
  /** The running pull of each consumer, by name. */
  private readonly pulls = new Map<string, ConsumerMessages>();
  /**
   * Delivered and not yet handled; whatever piles up while a batch runs is the next batch.
   * Bounded: a message JetStream delivers again (its ack_wait ran out while a batch hung)
   * replaces its earlier copy, and beyond the consumers' max_ack_pending a message is handed back.
   */
  private readonly buffer: JsMsg[] = [];
  private readonly parking: EventParking;
  private readonly failures: EventFailures;
  private readonly positions: ConsumerPositions;
  private upkeep?: PeriodicWorker;
  /** The life of the stream the pulls read (see streamIncarnation). */
  private incarnation?: string;
  /** Consumers whose pull is to be started again (their consumer was made again, or a restart failed). */
  private readonly stale = new Set<string>();
  private stopping = false;
  private runner = this.newRunner();

  constructor(
    private readonly stream: EventStream,
    private readonly dataSource: DataSource,
    private readonly settings: EventConsumerSettings,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {
    this.parking = new EventParking(dataSource, this.logger, settings.serviceName ?? settings.durableName);
    this.failures = new EventFailures(dataSource);
    this.positions = new ConsumerPositions(dataSource);
  }

  private newRunner(): SingleFlight {
    return new SingleFlight(
      () => this.drainBuffer(),
      (err) => this.logger.error(`event batch failed unexpectedly: ${err.message}`),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    this.handlers = discoverEventHandlers(this.discovery, this.scanner, this.reflector);
    if (this.handlers.size === 0) return;
    this.stopping = false;
    await this.stream.ensureStream();
    this.plan = consumerPlan(this.settings.durableName, this.stream.subjectPrefix, this.subjects());
    const jsm = await this.stream.manager();
    const incarnation = streamIncarnation(await jsm.streams.info(this.stream.streamName));
    this.incarnation = incarnation;
    this.stale.clear();
    await ensureConsumers(this.stream, this.settings.durableName, this.plan, this.logger, await this.positions.load(incarnation));
    for (const { name } of this.plan) await this.startPulling(name);
    this.upkeep = new PeriodicWorker({
      name: 'event consumer upkeep',
      pass: () => this.keepConsumersUp(),
      everyMs: this.settings.upkeepMs ?? UPKEEP_MS,
      runAtStart: false,
      onError: (message) => this.logger.warn(message),
    });
    this.upkeep.start();
  }

  /** Consumers on the server at most hold this many messages each unacknowledged: the buffer never needs more. */
  private get bufferLimit(): number {
    return PULL_MESSAGES * Math.max(1, this.plan.length);
  }

  private async startPulling(name: string): Promise<void> {
    this.pulls.get(name)?.stop();
    const js = await this.stream.jetstream();
    const consumer = await js.consumers.get(this.stream.streamName, name);
    // A callback, not the async iterator: the iterator costs ~10x the CPU per message.
    const messages = await consumer.consume({
      // Messages, not bytes: a pull limited by bytes stalls for good on a message larger than
      // what is left of it, behind a backlog (nats-server answers 409 each time). A message
      // holds at most a pack of 256 KiB (event-pack.ts) or one event: 100 are about 25 MiB
      // at their largest, a few MiB as events are.
      max_messages: PULL_MESSAGES,
      // Each pull request lives 5 s (not nats.js's 30 s): nats-server 2.9 may still hand a message
      // to the pull of a replica that died (kill -9) until it expires, and that message then waits
      // out ack_wait; a shorter life keeps that window short.
      expires: PULL_EXPIRES_MS,
      callback: (msg) => this.receive(msg),
    });
    this.pulls.set(name, messages);
    void watchConsumer(name, messages, this.logger, () => this.upkeep?.kick()).catch(() => undefined);
  }

  private receive(msg: JsMsg): void {
    // Stopping: another replica (or this one's restart) takes it at once.
    if (this.stopping) return void msg.nak();
    const earlier = this.buffer.findIndex((held) => held.seq === msg.seq);
    if (earlier >= 0) {
      this.buffer[earlier] = msg;
      return;
    }
    if (this.buffer.length >= this.bufferLimit) return void msg.nak(BUFFER_FULL_RETRY_MS);
    this.buffer.push(msg);
    this.runner.kick();
  }

  /**
   * Makes the stream and any consumer of this service's plan that is gone (deleted by hand,
   * lost with NATS's store) again, each from its last recorded position, and records where
   * each consumer stands now.
   */
  private async keepConsumersUp(): Promise<void> {
    if (this.stopping || this.plan.length === 0) return;
    const jsm = await this.stream.manager();
    const info = await jsm.streams.info(this.stream.streamName).catch((err) => {
      if (isStreamMissing(err)) return undefined;
      throw err;
    });
    if (!info) {
      this.logger.warn(`stream ${this.stream.streamName} is gone: making it again (the outbox relays publish again what they still hold)`);
      this.stream.forgetStream();
      await this.stream.ensureStream();
      // Its consumers are made on the next pass: nats-server (2.9) may still be removing the
      // old stream's consumers of the same names, and one made meanwhile never delivers.
      this.upkeep?.kick();
      return;
    }
    const incarnation = streamIncarnation(info);
    if (incarnation !== this.incarnation) {
      // A stream made again (here or by a relay): every pull reads the new one from its start,
      // on consumers made on the next pass (see above).
      for (const { name } of this.plan) this.stale.add(name);
      this.incarnation = incarnation;
      this.upkeep?.kick();
      return;
    }
    const floors: { consumer: string; floor: number }[] = [];
    let missing = false;
    for (const { name } of this.plan) {
      try {
        const consumer = await jsm.consumers.info(this.stream.streamName, name);
        floors.push({ consumer: name, floor: consumer.ack_floor.stream_seq });
        consumerPending.set({ consumer: name }, consumer.num_pending);
        consumerAckPending.set({ consumer: name }, consumer.num_ack_pending);
        consumerRedelivered.set({ consumer: name }, consumer.num_redelivered);
      } catch (err) {
        if (!/consumer not found/i.test(reasonOf(err))) throw err;
        missing = true;
        this.stale.add(name);
      }
    }
    if (missing) await ensureConsumers(this.stream, this.settings.durableName, this.plan, this.logger, await this.positions.load(incarnation));
    for (const name of [...this.stale]) {
      if (this.stopping) return;
      await this.startPulling(name);
      this.stale.delete(name);
    }
    await this.positions.save(incarnation, floors);
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
    const startedAt = performance.now();
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
        // Runs of the same subject (and correlation id: a run is handled, and logs, under its
        // events' one) go to batch handlers together; order across subjects is kept.
        for (let start = 0; start < todo.length; ) {
          let end = start + 1;
          while (end < todo.length && todo[end].subject === todo[start].subject && todo[end].correlationId === todo[start].correlationId) end++;
          const run = todo.slice(start, end);
          await inNewWorkContext(contextOf(run), async () => {
            for (const handler of run[0].handlers) {
              if (handler.batch) await handler.run(run.map((d) => d.payload), { manager, subject: run[0].subject, afterCommit });
              else for (const d of run) await handler.run(d.payload, { manager, eventId: d.eventId, subject: d.subject, afterCommit });
            }
            // At debug: under the events' correlation id, to follow a request or sync run through the consumers.
            this.logger.debug(`handled ${run.length} ${run[0].subject} event(s): ${run.map((d) => d.eventId).join(', ')}`);
          });
          start = end;
        }
      }, (err) => this.logger.warn(`after handling a batch: ${err.message}`));
      // The batch's time is shared among its events: the histogram's count is events handled, its sum the time spent.
      const seconds = (performance.now() - startedAt) / 1000 / ready.length;
      for (const d of ready) eventProcessing.observe({ event_type: d.subject }, seconds);
    } catch (err) {
      if (isDependencyOutage(err)) {
        // Not the events' fault: they all wait, and none of them counts it as a failure.
        const delayMs = backoffDelay(ready[0].msg.info.deliveryCount, OUTAGE_BACKOFF);
        this.logger.warn(`a batch of ${ready.length} events waits ${delayMs} ms for a dependency: ${reasonOf(err)}`);
        for (const d of ready) this.retryIn(d.outcome, delayMs);
        return;
      }
      this.logger.warn(`a batch of ${ready.length} events failed (${reasonOf(err)}); handling them one by one`);
      for (const d of ready) await this.handleOne(d);
    }
  }

  /**
   * Handles a parked event again, as if new (an operator's replay): in one transaction its
   * parked and processed records go and its handlers run; if it fails, all of that is rolled
   * back and it stays parked. Answers why it failed, or undefined once handled.
   */
  async replay(subject: string, eventId: string, raw: string): Promise<string | undefined> {
    const handlers = this.handlers.get(subject);
    if (!handlers) return `this service handles no ${subject} events`;
    let payload: object;
    try {
      payload = await validatedPayload(parseEvent(raw), handlers[0]);
    } catch (err) {
      return reasonOf(err);
    }
    try {
      await transactionWithHooks(this.dataSource, async (manager, afterCommit) => {
        const [, parked] = await manager.query(`delete from parked_events where event_id = $1 and discarded_at is null`, [eventId]);
        if (!parked) throw new Error('it is no longer parked');
        await manager.query(`delete from event_failures where event_id = $1`, [eventId]);
        await manager.query(`insert into processed_events (event_id, subject) values ($1, $2) on conflict (event_id) do update set processed_at = now()`, [eventId, subject]);
        for (const handler of handlers) await handler.run(handler.batch ? [payload] : payload, { manager, eventId, subject, afterCommit });
      }, (err) => this.logger.warn(`after replaying ${subject} ${eventId}: ${err.message}`));
      this.logger.log(`replayed parked ${subject} ${eventId}`);
      return undefined;
    } catch (err) {
      return reasonOf(err);
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
    if (handlers && msg.info.deliveryCount > 1) eventRedeliveries.inc({ event_type: subject });
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
        ready.push({ ...routed, eventId: event.eventId, raw: event.raw, payload: await validatedPayload(event.data, handlers[0]), correlationId: event.correlationId });
      } catch (err) {
        await inNewWorkContext({ correlationId: event.correlationId }, () => this.park(routed, event.eventId, event.raw(), reasonOf(err), err instanceof ValidationFailure ? 'unreadable or invalid' : `unreadable or invalid (${errorClass(err)})`));
      }
    }
    return ready;
  }

  private async handleOne(delivery: Delivery): Promise<void> {
    return inNewWorkContext(contextOf([delivery]), () => this.handleOneInContext(delivery));
  }

  private async handleOneInContext(delivery: Delivery): Promise<void> {
    const { msg, eventId, subject, raw, handlers, payload, outcome } = delivery;
    const handled = eventProcessing.startTimer({ event_type: subject });
    try {
      await transactionWithHooks(this.dataSource, async (manager, afterCommit) => {
        const inserted: unknown[] = await manager.query(
          `insert into processed_events (event_id, subject) values ($1, $2) on conflict do nothing returning event_id`,
          [eventId, subject],
        );
        if (inserted.length === 0) return; // Handled before: a redelivery.
        for (const handler of handlers) await handler.run(handler.batch ? [payload] : payload, { manager, eventId, subject, afterCommit });
        this.logger.debug(`handled ${subject} ${eventId}`);
      }, (err) => this.logger.warn(`after handling ${subject} ${eventId}: ${err.message}`));
      handled();
    } catch (err) {
      const deliveries = msg.info.deliveryCount;
      const reason = reasonOf(err);
      // A dependency away (or the failure could not even be counted): wait, count nothing.
      const failures = isDependencyOutage(err) ? undefined : await this.failures.count(eventId, subject, reason);
      if (failures === undefined) {
        const delayMs = backoffDelay(deliveries, OUTAGE_BACKOFF);
        this.logger.warn(`${subject} ${eventId} waits ${delayMs} ms for a dependency (delivery ${deliveries}): ${reason}`);
        this.retryIn(outcome, delayMs);
        return;
      }
      if (failures >= this.settings.maxDeliveries) {
        await this.park(delivery, eventId, raw(), `failed ${failures} times, last: ${reason}`, `failed ${failures} times, last: ${errorClass(err)}`);
        return;
      }
      const delayMs = backoffDelay(failures, REDELIVERY_BACKOFF);
      this.logger.warn(`${subject} ${eventId} failed (${failures} of ${this.settings.maxDeliveries} tries), retry in ${delayMs} ms: ${reason}`);
      this.retryIn(outcome, delayMs);
    }
  }

  private retryIn(outcome: MessageOutcome, delayMs: number): void {
    outcome.retryInMs = Math.min(outcome.retryInMs ?? delayMs, delayMs);
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
  private async park({ msg, subject, outcome }: Routed, eventId: string, raw: string, reason: string, alertReason: string): Promise<void> {
    if (await this.parking.park(subject, eventId, raw, reason, msg.info.deliveryCount, alertReason)) {
      outcome.parked++;
      eventsParked.inc({ event_type: subject });
    } else {
      // Parking could not be written (its database away): back off as for any outage.
      this.retryIn(outcome, backoffDelay(msg.info.deliveryCount, OUTAGE_BACKOFF));
    }
  }

  /**
   * Stops taking events: pulls end, what is buffered is handed back at once (negatively
   * acknowledged without delay, so another replica takes it now rather than after ack_wait),
   * and the batch under way finishes and is settled. Before the connection and the database
   * close (those go in onApplicationShutdown).
   */
  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  private async stop(): Promise<void> {
    if (this.stopping && this.pulls.size === 0) return;
    this.stopping = true;
    await this.upkeep?.stop();
    this.upkeep = undefined;
    const pulls = [...this.pulls.values()];
    this.pulls.clear();
    for (const messages of pulls) messages.stop();
    await Promise.all(pulls.map((messages) => messages.closed().catch(() => undefined)));
    // The server learns that the pulls are gone before the hand-back: a message handed back to
    // a pull it still thinks waiting would go nowhere and wait out ack_wait.
    await this.stream.flush().catch(() => undefined);
    for (const msg of this.buffer.splice(0)) msg.nak();
    await this.runner.stop();
    this.runner = this.newRunner();
  }
}

/**
 * What the handling of these events (of one correlation id) is about, for its log lines: their
 * correlation id, and the account and Amazon order they share, if the events name one (order
 * and delivery events do).
 */
function contextOf(deliveries: Delivery[]): WorkContext {
  const shared = (field: 'accountId' | 'amazonOrderId'): string | undefined => {
    const first = (deliveries[0].payload as Record<string, unknown>)[field];
    return typeof first === 'string' && deliveries.every((d) => (d.payload as Record<string, unknown>)[field] === first) ? first : undefined;
  };
  return { correlationId: deliveries[0].correlationId, accountId: shared('accountId'), amazonOrderId: shared('amazonOrderId') };
}
