import { ClientNats, NatsOptions, ServerNats } from '@nestjs/microservices';

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

  override bindEvents(client: Parameters<ServerNats['bindEvents']>[0]): void {
    const defaultQueue = this.natsOptions?.queue;
    for (const [channel, handler] of this.messageHandlers) {
      const subscription = client.subscribe(`${this.namespace}.${channel}`, {
        queue: handler.extras?.queue ?? defaultQueue,
        callback: this.getMessageHandler(channel).bind(this),
      });
      // Nest keeps its subscriptions private; it unsubscribes them on close.
      (this as unknown as { subscriptions: unknown[] }).subscriptions.push(subscription);
    }
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
