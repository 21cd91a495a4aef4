import { Logger } from '@nestjs/common';
import { ClientNats, NatsOptions, ServerNats } from '@nestjs/microservices';
import { natsCallersOf, natsInboxPrefix } from '@connector/contracts';
import type { Msg, NatsConnection, Subscription } from 'nats';
import { CORRELATION_ID_HEADER, inNewWorkContext, isValidCorrelationId, newCorrelationId } from '@connector/workers';

/**
 * NestJS's NATS transport, with every subject put under the installation's namespace
 * (NATS_NAMESPACE). Handlers keep declaring bare subjects from @connector/contracts.
 */
export class NamespacedNatsServer extends ServerNats {
  constructor(
    private readonly namespace: string,
    private readonly natsOptions: NatsOptions['options'],
  ) {
    super(natsOptions ?? {});
  }

  private readonly refusals = new Logger('NatsRequests');
  /** Requests being handled now, awaited by stopTakingRequests. */
  private readonly inFlight = new Set<Promise<unknown>>();

  override bindEvents(client: Parameters<ServerNats['bindEvents']>[0]): void {
    const defaultQueue = this.natsOptions?.queue;
    for (const [channel, handler] of this.messageHandlers) {
      const handle = this.getMessageHandler(channel).bind(this);
      const inboxes = (natsCallersOf(channel) ?? []).map((caller) => `${natsInboxPrefix(caller)}.`);
      const subscription = client.subscribe(`${this.namespace}.${channel}`, {
        queue: handler.extras?.queue ?? defaultQueue,
        // A request is answered only when its answer goes to the inbox of a process allowed to
        // ask it. Anything else reached the subject some other way (a JetStream consumer made to
        // deliver here, say) and is dropped: NATS checks who publishes, not who delivers.
        callback: (error: Error | null, msg: Msg) => {
          const reply = msg?.reply ?? '';
          const fromInbox = inboxes.length ? inboxes.some((inbox) => reply.startsWith(inbox)) : reply.startsWith('_INBOX.');
          if (!error && !fromInbox) {
            this.refusals.warn(`dropped a message on ${channel} whose answer would go to "${reply || 'nowhere'}", not to a caller's inbox`);
            return;
          }
          // The request's work logs under its caller's correlation id (a new one if it sent none).
          const given = msg?.headers?.get(CORRELATION_ID_HEADER);
          const correlationId = isValidCorrelationId(given) ? given : newCorrelationId();
          const handling = inNewWorkContext({ correlationId }, () => Promise.resolve(handle(error, msg)));
          const done = () => this.inFlight.delete(handling);
          this.inFlight.add(handling);
          handling.then(done, done);
          return handling;
        },
      });
      // Nest keeps its subscriptions private; it unsubscribes them on close.
      (this as unknown as { subscriptions: unknown[] }).subscriptions.push(subscription);
    }
  }

  /**
   * Resolves once NATS answers a ping on this connection: not while NATS is away and the client
   * reconnects (the ping waits for the server; readiness bounds the wait).
   */
  async ping(): Promise<void> {
    const client = (this as unknown as { natsClient?: NatsConnection | null }).natsClient;
    if (!client || client.isClosed()) throw new Error('not connected to NATS');
    await client.flush().catch((err: Error) => {
      // nats.js says only its error code (DISCONNECT) when the server went away under the ping.
      throw new Error(`the NATS connection is lost, reconnecting (${err.message})`);
    });
  }

  /**
   * The first step of a shutdown: no more requests come to this process (NATS gives them to the
   * other replicas of its queue group), and those under way are answered.
   */
  async stopTakingRequests(): Promise<void> {
    // Drained, not just unsubscribed: a request the server sent before it took the unsubscription
    // still arrives, and is handled rather than dropped (its caller would wait for nothing).
    const subscriptions = (this as unknown as { subscriptions: Subscription[] }).subscriptions;
    await Promise.all(subscriptions.map((subscription) => subscription.drain().catch(() => subscription.unsubscribe())));
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
    // Answers are published on the next tick (Nest's send); flush them to the server.
    await new Promise((resolve) => setImmediate(resolve));
    const client = (this as unknown as { natsClient?: { flush(): Promise<void> } | null }).natsClient;
    await client?.flush().catch(() => undefined);
  }
}

export class NamespacedNatsClient extends ClientNats {
  constructor(
    private readonly namespace: string,
    options: NatsOptions['options'],
  ) {
    super(options ?? {});
  }

  protected override normalizePattern(pattern: unknown): string {
    return `${this.namespace}.${super.normalizePattern(pattern as string)}`;
  }
}
