import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { connect, JetStreamClient, JetStreamManager, NatsConnection, RetentionPolicy, StorageType } from 'nats';

/** Events are kept this long in the stream; nothing older can be redelivered. */
export const STREAM_MAX_AGE_DAYS = 14;

export interface EventStreamSettings {
  natsUrl: string;
  /** NATS_NAMESPACE: subjects are `<namespace>.events.<event subject>`. */
  namespace: string;
  /** Names the connection in NATS monitoring. */
  serviceName: string;
}

/** The JetStream stream that carries every domain event, and this process's connection to it. */
@Injectable()
export class EventStream implements OnApplicationShutdown {
  private readonly logger = new Logger(EventStream.name);
  private connection?: NatsConnection;
  private connecting?: Promise<NatsConnection>;
  readonly streamName: string;
  readonly subjectPrefix: string;

  constructor(readonly settings: EventStreamSettings) {
    this.streamName = `${settings.namespace.replace(/[^a-zA-Z0-9]/g, '_').toUpperCase()}_EVENTS`;
    this.subjectPrefix = `${settings.namespace}.events.`;
  }

  /** One connection per process; callers racing at start-up share the same attempt. */
  async nats(): Promise<NatsConnection> {
    this.connecting ??= connect({
      servers: this.settings.natsUrl,
      name: `${this.settings.serviceName}-events`,
      maxReconnectAttempts: -1,
    }).then((connection) => (this.connection = connection));
    return this.connecting;
  }

  async jetstream(): Promise<JetStreamClient> {
    return (await this.nats()).jetstream();
  }

  async manager(): Promise<JetStreamManager> {
    return (await this.nats()).jetstreamManager();
  }

  /** Creates the stream if it is missing; every service may call it, the first one wins. */
  async ensureStream(): Promise<void> {
    const jsm = await this.manager();
    try {
      await jsm.streams.info(this.streamName);
    } catch {
      try {
        await jsm.streams.add({
          name: this.streamName,
          subjects: [`${this.subjectPrefix}>`],
          retention: RetentionPolicy.Limits,
          storage: StorageType.File,
          max_age: STREAM_MAX_AGE_DAYS * 24 * 3600 * 1e9,
          duplicate_window: 10 * 60 * 1e9,
        });
        this.logger.log(`created stream ${this.streamName}`);
      } catch (err) {
        // Another service created it in between.
        await jsm.streams.info(this.streamName).catch(() => {
          throw err;
        });
      }
    }
  }

  subjectOf(eventSubject: string): string {
    return `${this.subjectPrefix}${eventSubject}`;
  }

  eventSubjectOf(natsSubject: string): string {
    return natsSubject.startsWith(this.subjectPrefix) ? natsSubject.slice(this.subjectPrefix.length) : natsSubject;
  }

  isConnected(): boolean {
    return !!this.connection && !this.connection.isClosed();
  }

  async onApplicationShutdown(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    this.connecting = undefined;
    if (!connection || connection.isClosed()) return;
    // Drain lets pending acks and publishes go out; if it cannot, close anyway.
    await connection.drain().catch(() => connection.close());
    await connection.closed();
  }
}
