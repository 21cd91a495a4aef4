import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { AckPolicy, ConsumerMessages, DeliverPolicy, JsMsg } from 'nats';
import { DataSource } from 'typeorm';
import { EventStream } from './event-stream';
import { ParkedEvent, ProcessedEvent } from './messaging.entities';
import { EventContext, EventHandlerMetadata, ON_EVENT } from './on-event.decorator';

type Handler = EventHandlerMetadata & { run: (payload: object, context: EventContext) => Promise<void> };

export interface EventConsumerSettings {
  /** The durable consumer's name: one per service, shared by its replicas. */
  durableName: string;
  /** Deliveries after which a failing event is parked instead of retried. */
  maxDeliveries: number;
  /** Events handled at once by one replica. */
  concurrency: number;
}

export class ValidationFailure extends Error {}

/**
 * The service's durable JetStream consumer. Discovers @OnEvent handlers, validates each
 * event, runs the handler in a transaction with the processed-event record (so a redelivery
 * is a no-op), acks after commit, naks with back-off on failure, and parks poison.
 */
@Injectable()
export class EventConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(EventConsumer.name);
  private readonly handlers = new Map<string, Handler[]>();
  private messages?: ConsumerMessages;
  private inFlight = 0;
  private readonly idle: (() => void)[] = [];
  private loop?: Promise<void>;

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
    const jsm = await this.stream.manager();
    const config = {
      durable_name: this.settings.durableName,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: `${this.stream.subjectPrefix}>`,
      ack_wait: 30 * 1e9,
      max_ack_pending: 1000,
    };
    try {
      await jsm.consumers.info(this.stream.streamName, this.settings.durableName);
    } catch {
      await jsm.consumers.add(this.stream.streamName, config).catch(async (err) => {
        // A replica starting at the same time may have added it first.
        await jsm.consumers.info(this.stream.streamName, this.settings.durableName).catch(() => {
          throw err;
        });
      });
    }
    const js = await this.stream.jetstream();
    const consumer = await js.consumers.get(this.stream.streamName, this.settings.durableName);
    this.messages = await consumer.consume({ max_messages: this.settings.concurrency * 2 });
    this.loop = this.run(this.messages);
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
        list.push({ ...meta, run: (payload, context) => (instance[method] as Function).call(instance, payload, context) });
        this.handlers.set(meta.subject, list);
      }
    }
  }

  private async run(messages: ConsumerMessages): Promise<void> {
    for await (const msg of messages) {
      while (this.inFlight >= this.settings.concurrency) await new Promise<void>((resolve) => this.idle.push(resolve));
      this.inFlight++;
      void this.handle(msg).finally(() => {
        this.inFlight--;
        this.idle.shift()?.();
      });
    }
  }

  /** Handles one delivery; exposed for tests. */
  async handle(msg: JsMsg): Promise<void> {
    const subject = this.stream.eventSubjectOf(msg.subject);
    const handlers = this.handlers.get(subject);
    if (!handlers) {
      msg.ack(); // Another service's event.
      return;
    }
    const eventId = msg.headers?.get('Nats-Msg-Id') || `${this.stream.streamName}:${msg.seq}`;
    const raw = msg.string();
    let payload: object;
    try {
      payload = await this.parse(raw, handlers[0].payloadClass);
    } catch (err) {
      await this.park(msg, eventId, subject, raw, err.message);
      return;
    }
    try {
      await this.dataSource.transaction(async (manager) => {
        const inserted = await manager
          .createQueryBuilder()
          .insert()
          .into(ProcessedEvent)
          .values({ eventId, subject })
          .orIgnore()
          .execute();
        if ((inserted.raw as unknown[]).length === 0) return; // Handled before: a redelivery.
        for (const handler of handlers) await handler.run(payload, { manager, eventId, subject });
      });
      msg.ack();
    } catch (err) {
      const deliveries = msg.info.deliveryCount;
      if (deliveries >= this.settings.maxDeliveries) {
        await this.park(msg, eventId, subject, raw, `failed ${deliveries} times, last: ${err.message}`);
        return;
      }
      const delayMs = Math.min(500 * 2 ** (deliveries - 1), 60_000);
      this.logger.warn(`${subject} ${eventId} failed (delivery ${deliveries}), retry in ${delayMs} ms: ${err.message}`);
      msg.nak(delayMs);
    }
  }

  private async parse(raw: string, payloadClass: new () => object): Promise<object> {
    let data: unknown;
    try {
      data = JSON.parse(raw);
    } catch {
      throw new ValidationFailure('payload is not JSON');
    }
    const payload = plainToInstance(payloadClass, data);
    const errors = await validate(payload, { forbidUnknownValues: true });
    if (errors.length) {
      const fields = errors.map((e) => `${e.property}: ${Object.values(e.constraints ?? { nested: 'invalid' }).join(', ')}`);
      throw new ValidationFailure(`invalid ${payloadClass.name}: ${fields.join('; ')}`);
    }
    return payload;
  }

  private async park(msg: JsMsg, eventId: string, subject: string, raw: string, reason: string): Promise<void> {
    this.logger.error(`parked ${subject} ${eventId}: ${reason}`);
    try {
      await this.dataSource
        .createQueryBuilder()
        .insert()
        .into(ParkedEvent)
        .values({ eventId, subject, payload: raw, reason, deliveries: msg.info.deliveryCount })
        .orUpdate(['reason', 'deliveries'], ['event_id'])
        .execute();
      msg.term();
    } catch (err) {
      // Not recorded: let it come back rather than lose it.
      msg.nak(5000);
      this.logger.error(`could not park ${eventId}: ${err.message}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.messages?.stop();
    while (this.inFlight > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
    await this.loop?.catch(() => undefined);
  }
}
