import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ConnectionOptions, connect, createInbox, headers, JetStreamClient, JetStreamManager, Msg, NatsConnection, RetentionPolicy, StorageType } from 'nats';
import { PACK_HEADER } from './event-pack';
import { maxPayloadOf } from './max-payload';
import { CORRELATION_ID_HEADER } from '@connector/workers';

/** Events are kept this long in the stream; nothing older can be redelivered. */
export const STREAM_MAX_AGE_DAYS = 14;

export interface EventStreamSettings {
  natsUrl: string;
  /** Authentication and TLS, as the service's other NATS connections use them. */
  connection?: Omit<ConnectionOptions, 'servers' | 'name'>;
  /** NATS_NAMESPACE: subjects are `<namespace>.events.<event subject>`. */
  namespace: string;
  /** Names the connection in NATS monitoring. */
  serviceName: string;
  /**
   * How long the stream keeps an event (default STREAM_MAX_AGE_DAYS): capped by the personal
   * data retention period, since events carry gift messages. Set on the stream at start-up.
   */
  maxAgeSeconds?: number;
  /** NATS_STREAM_REPLICAS: copies of the stream across a NATS cluster's nodes (default 1), given when it is created. */
  replicas?: number;
}

/** The stream that holds a namespace's events. */
export function streamNameFor(namespace: string): string {
  return `${namespace.replace(/[^a-zA-Z0-9]/g, '_').toUpperCase()}_EVENTS`;
}

/** Whether an error says the stream is not there (deleted, or lost with the server's store). */
export function isStreamMissing(err: unknown): boolean {
  return /stream not found|no JetStream stream takes this subject/i.test(err instanceof Error ? err.message : String(err));
}


/** How long a stream found gone is left before it is made again (see createStreamIfMissing). */
const STREAM_REMAKE_PAUSE_MS = 2000;

/** How long a batch of publishes may wait for JetStream's acknowledgements. */
const PUBLISH_ACK_TIMEOUT_MS = 10_000;

/** What a message's headers take (`NATS/1.0`, Nats-Msg-Id, the pack header), as NATS counts them. */
function headerBytes(event: EventToPublish): number {
  return (
    10 +
    `Nats-Msg-Id: ${event.id}\r\n`.length +
    (event.pack ? `${PACK_HEADER}: ${event.pack}\r\n`.length : 0) +
    (event.correlationId ? `${CORRELATION_ID_HEADER}: ${event.correlationId}\r\n`.length : 0) +
    2
  );
}

export interface EventToPublish {
  /** The event subject, without the namespace. */
  subject: string;
  /** JSON text. */
  data: string;
  /** Becomes `Nats-Msg-Id`: JetStream drops a second copy within the duplicate window. */
  id: string;
  /** Set for a pack of events (see event-pack.ts): how many it holds. */
  pack?: number;
  /** The outbox ids of a pack's events, to name them in errors; a single event's is `id`. */
  eventIds?: string[];
  /**
   * Becomes `X-Correlation-Id`: the correlation id of the work that wrote the event (of all the
   * events of a pack; a pack of several keeps each event's in the pack as well).
   */
  correlationId?: string;
}

interface PendingAck {
  resolve: () => void;
  reject: (err: Error) => void;
}

/** The JetStream stream that carries every domain event, and this process's connection to it. */
@Injectable()
export class EventStream implements OnApplicationShutdown {
  private readonly logger = new Logger(EventStream.name);
  private connection?: NatsConnection;
  private connecting?: Promise<NatsConnection>;
  readonly streamName: string;
  readonly subjectPrefix: string;
  /** Where JetStream answers this process's publishes; subscribed on first publish. */
  private ackInbox?: string;
  private readonly pendingAcks = new Map<string, PendingAck>();
  private nextAck = 0;

  private managing?: Promise<JetStreamManager>;
  private streamReady?: Promise<void>;
  /** Set when the stream was found gone (see forgetStream). */
  private remaking = false;

  constructor(readonly settings: EventStreamSettings) {
    this.streamName = streamNameFor(settings.namespace);
    this.subjectPrefix = `${settings.namespace}.events.`;
  }

  /** One connection per process; callers racing at start-up share the same attempt. */
  async nats(): Promise<NatsConnection> {
    this.connecting ??= connect({
      ...this.settings.connection,
      servers: this.settings.natsUrl,
      name: `${this.settings.serviceName}-events`,
      maxReconnectAttempts: -1,
    }).then((connection) => (this.connection = connection));
    return this.connecting;
  }

  /** The largest message, headers included, the server takes (NATS's max_payload). */
  async maxPayload(): Promise<number> {
    return maxPayloadOf(await this.nats());
  }

  async jetstream(): Promise<JetStreamClient> {
    return (await this.nats()).jetstream();
  }

  /** One manager per connection: creating one costs a request to the server. */
  async manager(): Promise<JetStreamManager> {
    this.managing ??= this.nats().then((nc) => nc.jetstreamManager());
    return this.managing;
  }

  /**
   * Publishes events in the given order and resolves once JetStream has stored every one
   * (rejects if any is refused or unacknowledged in time). Unlike `js.publish`, which is a
   * request with its own timer per message, all publishes share one reply subscription,
   * so a batch costs a fraction of the CPU.
   */
  async publishAll(events: EventToPublish[]): Promise<void> {
    const nc = await this.nats();
    // Checked before anything goes out, so a batch that cannot go is not half sent again on every retry.
    const maxPayload = maxPayloadOf(nc);
    for (const event of events) {
      const bytes = Buffer.byteLength(event.data);
      if (bytes + headerBytes(event) > maxPayload) {
        throw new Error(
          `event ${(event.eventIds ?? [event.id]).join(', ')} (${event.subject}) is ${bytes} bytes; the NATS server takes at most ${maxPayload} ` +
            `with headers (max_payload). It and the events after it wait until max_payload is raised and the services restarted.`,
        );
      }
    }
    const inbox = this.subscribeAcks(nc);
    const waits: Promise<void>[] = [];
    const tokens: string[] = [];
    let timer: NodeJS.Timeout | undefined;
    try {
      for (const event of events) {
        const token = String(this.nextAck++);
        tokens.push(token);
        waits.push(new Promise<void>((resolve, reject) => this.pendingAcks.set(token, { resolve, reject })));
        const h = headers();
        h.set('Nats-Msg-Id', event.id);
        if (event.pack) h.set(PACK_HEADER, String(event.pack));
        if (event.correlationId) h.set(CORRELATION_ID_HEADER, event.correlationId);
        // Throws at once if the connection is closing.
        nc.publish(this.subjectOf(event.subject), event.data, { reply: `${inbox}.${token}`, headers: h });
      }
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`JetStream did not acknowledge ${events.length} events within ${PUBLISH_ACK_TIMEOUT_MS} ms`)), PUBLISH_ACK_TIMEOUT_MS);
      });
      await Promise.race([Promise.all(waits), timeout]);
    } finally {
      clearTimeout(timer);
      for (const token of tokens) this.pendingAcks.delete(token);
      // Waits left unsettled by an early throw must not surface as unhandled rejections.
      for (const wait of waits) wait.catch(() => undefined);
    }
  }

  private subscribeAcks(nc: NatsConnection): string {
    if (!this.ackInbox) {
      this.ackInbox = createInbox(this.settings.connection?.inboxPrefix);
      nc.subscribe(`${this.ackInbox}.*`, { callback: (err, msg) => err || this.onAck(msg) });
    }
    return this.ackInbox;
  }

  /** A PubAck, JetStream's refusal, or NATS's "no responders" (no stream holds the subject). */
  private onAck(msg: Msg): void {
    const pending = this.pendingAcks.get(msg.subject.slice(msg.subject.lastIndexOf('.') + 1));
    if (!pending) return; // Late answer to a batch that already gave up.
    if (msg.headers?.code === 503) return pending.reject(new Error('no JetStream stream takes this subject'));
    try {
      const answer = msg.json<{ seq?: number; error?: { description?: string } }>();
      if (answer.error || !answer.seq) pending.reject(new Error(`JetStream refused an event: ${answer.error?.description ?? 'no sequence'}`));
      else pending.resolve();
    } catch {
      pending.reject(new Error('JetStream answered a publish with something that is not JSON'));
    }
  }

  /** Creates the stream if it is missing; every service may call it, the first one wins. Checked once per connection. */
  async ensureStream(): Promise<void> {
    this.streamReady ??= this.createStreamIfMissing().catch((err) => {
      this.streamReady = undefined;
      throw err;
    });
    return this.streamReady;
  }

  /** The stream was found gone: the next ensureStream looks (and makes it) again, after a pause. */
  forgetStream(): void {
    this.streamReady = undefined;
    this.remaking = true;
  }

  private get maxAgeNanos(): number {
    return Math.round((this.settings.maxAgeSeconds ?? STREAM_MAX_AGE_DAYS * 24 * 3600) * 1e9);
  }

  /** Ten minutes of re-publishes are dropped as duplicates; NATS wants it within the max age. */
  private get duplicateWindowNanos(): number {
    return Math.min(10 * 60 * 1e9, this.maxAgeNanos);
  }

  private async createStreamIfMissing(): Promise<void> {
    const jsm = await this.manager();
    try {
      const info = await jsm.streams.info(this.streamName);
      // Shortened (or lengthened) retention applies to the stream too; services agree on it.
      if (info.config.max_age !== this.maxAgeNanos) {
        // Where NATS permissions are on (docker/nats), no service may change the stream: it says
        // so and goes on; an operator changes the age (nats stream edit).
        await jsm.streams
          .update(this.streamName, { ...info.config, max_age: this.maxAgeNanos, duplicate_window: this.duplicateWindowNanos })
          .then(() => this.logger.log(`stream ${this.streamName} keeps events ${Math.round(this.maxAgeNanos / 1e9)} s`))
          .catch((err) => this.logger.warn(`stream ${this.streamName} keeps events ${Math.round(info.config.max_age / 1e9)} s, not ${Math.round(this.maxAgeNanos / 1e9)} s: ${err.message}`));
      }
    } catch (err) {
      if (!/stream not found/i.test(String(err?.message))) throw err;
      if (this.remaking) {
        // Just deleted: nats-server (2.9) may still be removing the old stream's files, and a
        // stream or consumer of the same name made meanwhile can lose its store and never deliver.
        await new Promise((resolve) => setTimeout(resolve, STREAM_REMAKE_PAUSE_MS));
        if (await jsm.streams.info(this.streamName).then(() => true, () => false)) return void (this.remaking = false);
      }
      try {
        await jsm.streams.add({
          name: this.streamName,
          subjects: [`${this.subjectPrefix}>`],
          retention: RetentionPolicy.Limits,
          storage: StorageType.File,
          max_age: this.maxAgeNanos,
          duplicate_window: this.duplicateWindowNanos,
          num_replicas: this.settings.replicas ?? 1,
        });
        this.logger.log(`created stream ${this.streamName}`);
        this.remaking = false;
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

  /** Waits until the server has seen everything sent so far (when connected). */
  async flush(): Promise<void> {
    if (this.connection && !this.connection.isClosed()) await this.connection.flush();
  }

  isConnected(): boolean {
    return !!this.connection && !this.connection.isClosed();
  }

  async onApplicationShutdown(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    this.connecting = undefined;
    this.managing = undefined;
    this.streamReady = undefined;
    this.ackInbox = undefined;
    if (!connection || connection.isClosed()) return;
    // Drain lets pending acks and publishes go out; if it cannot, close anyway.
    await connection.drain().catch(() => connection.close());
    await connection.closed();
  }
}
