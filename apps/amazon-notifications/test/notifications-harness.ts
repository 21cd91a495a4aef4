import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { AccountAccess, NotificationKind, NotificationState, OrdersApiVersion, Region } from '@connector/contracts';
import { Outbox } from '@connector/messaging';
import { runMigrations } from '@connector/persistence';
import { AmazonEndpoints, SpApiClients } from '@connector/sp-api';
import { SandboxProcess, TestEnvironment } from '@connector/testing';
import { DataSource } from 'typeorm';
import { AmazonAccessService } from '../src/amazon-access/amazon-access.service';
import { notificationsDataSource } from '../src/data-source';
import { AmazonNotificationsSettings } from '../src/amazon-notifications.settings';
import { CancellationFeedPoller } from '../src/cancellation-feeds/cancellation-feed-poller';
import { CancellationFeedSubmitter } from '../src/cancellation-feeds/cancellation-feed-submitter';
import { CancellationSender } from '../src/cancellation-feeds/cancellation-sender';
import { DueNotifications } from '../src/notifications/due-notifications';
import { NotificationsService } from '../src/notifications/notifications.service';
import { ShipmentConfirmationSender } from '../src/shipment-confirmations/shipment-confirmation-sender';
import { Notification } from '../src/notifications/notification.entity';
import { NotificationOutcomes } from '../src/notifications/notification-outcomes';

export interface HarnessOptions {
  /** The sandbox clock's speed (feed processing, its rate limits) and the client's rate scale. */
  timeScale?: number;
  rateLimits?: boolean;
  settings?: Partial<AmazonNotificationsSettings>;
  /** The SP-API client's own retries of a call (default the client's): fewer make each try of a sender one call. */
  clientRetries?: number;
  /** The Orders API the account is read through (as order-ingestion answers it). */
  ordersApi?: OrdersApiVersion;
  /** More of the account as order-ingestion answers it (Stock to Amazon's settings). */
  access?: Partial<AccountAccess>;
}

export interface Cancellation {
  amazonOrderId: string;
  orderItemIds: string[];
  reason?: string;
}

/**
 * The senders on their own (cancellation feeds, shipment confirmations; tests and the benchmark): its own database with the
 * service's migrations, the sandbox (its own process, from dist/) with one seller, and an account that needs no
 * order-ingestion (its access is answered here). Events land in the outbox table.
 */
export class NotificationsHarness {
  readonly env = new TestEnvironment();
  readonly accountId = randomUUID();
  readonly seller = { sellerId: 'A2CANCELSELLER', clientId: 'cancel-client', clientSecret: 'cancel-secret', refreshToken: 'Atzr|cancel-refresh', marketplaceIds: ['A1PA6795UKMFR9'] };
  readonly marketplaceId = 'A1PA6795UKMFR9';
  dataSource!: DataSource;
  sandbox!: SandboxProcess;
  sandboxUrl!: string;
  settings!: AmazonNotificationsSettings;
  clients!: SpApiClients;
  private senders: (CancellationSender | ShipmentConfirmationSender)[] = [];

  constructor(private readonly options: HarnessOptions = {}) {}

  async start(): Promise<this> {
    await this.env.setUp();
    const options = notificationsDataSource(this.env.databaseUrl);
    await runMigrations(options);
    this.dataSource = await new DataSource(options).initialize();
    this.sandbox = await SandboxProcess.start({ timeScale: this.options.timeScale ?? 1, rateLimits: this.options.rateLimits ?? true });
    this.sandboxUrl = this.sandbox.url;
    const seeded = await this.sandboxRequest('POST', '/_sandbox/sellers', this.seller);
    if (seeded.status !== 201) throw new Error(`seeding the seller failed: ${seeded.status}`);
    this.settings = Object.assign(new AmazonNotificationsSettings(), { NOTIFY_POLL_MS: 100, FEED_POLL_MS: 100, CANCEL_BATCH_WINDOW_MS: 0, SPAPI_RATE_SCALE: this.options.timeScale ?? 1 }, this.options.settings ?? {});
    this.clients = new SpApiClients({ rateScale: this.settings.SPAPI_RATE_SCALE, endpoints: new AmazonEndpoints([this.sandboxUrl]), maxRetries: this.options.clientRetries });
    return this;
  }

  /** What order-ingestion would answer for GET_ACCOUNT_ACCESS, and the client for it. */
  get amazon(): AmazonAccessService {
    return this.amazonVia(this.clients);
  }

  /** The same through other clients (token buckets): another replica's. */
  amazonVia(clients: SpApiClients): AmazonAccessService {
    const access: AccountAccess = {
      accountId: this.accountId,
      sellerId: this.seller.sellerId,
      region: Region.EU,
      apiEndpoint: this.sandboxUrl,
      lwaEndpoint: `${this.sandboxUrl}/auth/o2/token`,
      lwaClientId: this.seller.clientId,
      encryptedClientSecret: '',
      encryptedRefreshToken: '',
      ...(this.options.ordersApi ? { ordersApi: this.options.ordersApi } : {}),
      ...(this.options.access ?? {}),
    };
    const stub = {
      access: async () => access,
      stockSyncOn: async (accountIds: string[], turnedOn: (ids: string[]) => Promise<void>) => {
        if (access.stockSync && accountIds.length) await turnedOn(accountIds);
      },
      client: async () =>
        clients.for({ accountId: this.accountId, region: 'EU', endpoint: this.sandboxUrl, lwaEndpoint: access.lwaEndpoint, clientId: this.seller.clientId, clientSecret: this.seller.clientSecret, refreshToken: this.seller.refreshToken }),
    };
    return stub as unknown as AmazonAccessService;
  }

  /** A sender as the service builds it: a restart is a new one on the same database. */
  newSender(): CancellationSender {
    const outcomes = new NotificationOutcomes(new Outbox());
    const sender = new CancellationSender(
      new CancellationFeedSubmitter(this.dataSource, this.amazon, outcomes, this.settings),
      new CancellationFeedPoller(this.dataSource, this.amazon, outcomes, this.settings),
      this.settings,
    );
    this.senders.push(sender);
    return sender;
  }

  /** A shipment confirmation sender as the service builds it (one per replica; they share the database). */
  newShipmentSender(options: { rateScale?: number } = {}): ShipmentConfirmationSender {
    // Its own clients, as another process has: its own token buckets.
    const clients = new SpApiClients({ rateScale: options.rateScale ?? this.settings.SPAPI_RATE_SCALE, endpoints: new AmazonEndpoints([this.sandboxUrl]), maxRetries: this.options.clientRetries });
    const sender = new ShipmentConfirmationSender(this.dataSource, new NotificationOutcomes(new Outbox()), this.amazonVia(clients), this.settings, new DueNotifications());
    this.senders.push(sender);
    return sender;
  }

  /** The notifications' requests as the service answers them (list, retry, bulk retry). */
  notificationsService(): NotificationsService {
    return new NotificationsService(this.dataSource.getRepository(Notification), new DueNotifications());
  }

  /** Pending shipment confirmations of these orders (every item shipped), as the intake writes them. Returns their ids. */
  async addShipmentConfirmations(orders: Cancellation[]): Promise<string[]> {
    const rows = orders.map((o) => ({
      id: randomUUID(),
      kind: NotificationKind.ShipmentConfirmation,
      state: NotificationState.Pending,
      accountId: this.accountId,
      marketplaceId: this.marketplaceId,
      orderId: randomUUID(),
      amazonOrderId: o.amazonOrderId,
      deliveryId: randomUUID(),
      payload: {
        marketplaceId: this.marketplaceId,
        packageDetail: { packageReferenceId: '1', carrierCode: 'UPS', trackingNumber: `1Z${o.amazonOrderId.replace(/\D/g, '')}`, shipDate: new Date().toISOString(), orderItems: o.orderItemIds.map((orderItemId) => ({ orderItemId, quantity: 1 })) },
      },
      attempts: 0,
      nextAttemptAt: new Date(),
    }));
    await this.dataSource.getRepository(Notification).insert(rows);
    return rows.map((row) => row.id);
  }

  /** The confirmations the sandbox accepted for an order (`count`: how many times it received one). */
  async shipments(amazonOrderId: string): Promise<{ packageReferenceId: string; count: number }[]> {
    return (await this.sandboxRequest('GET', `/_sandbox/shipments?sellerId=${this.seller.sellerId}&orderId=${amazonOrderId}`)).body.shipments;
  }

  /** FBM orders at the sandbox: id and item ids. */
  async generateOrders(count: number, seed: string, status: 'UNSHIPPED' | 'SHIPPED' = 'UNSHIPPED'): Promise<Cancellation[]> {
    const generated = await this.sandboxRequest('POST', `/_sandbox/sellers/${this.seller.sellerId}/orders/generate`, { count, seed, fulfilledBy: 'MERCHANT', statuses: [status], marketplaceIds: [this.marketplaceId] });
    if (generated.status !== 201) throw new Error(`generating orders failed: ${generated.status} ${JSON.stringify(generated.body)}`);
    const orders: Cancellation[] = [];
    for (const orderId of generated.body.orderIds as string[]) {
      const { order } = (await this.sandboxRequest('GET', `/_sandbox/orders/${orderId}`)).body;
      orders.push({ amazonOrderId: orderId, orderItemIds: order.orderItems.map((item: { orderItemId: string }) => item.orderItemId) });
    }
    return orders;
  }

  /** Pending cancellation notifications, as the intake writes them. Returns their ids. */
  async addCancellations(cancellations: Cancellation[], extra: Partial<Pick<Notification, 'attempts' | 'feedId' | 'feedMessageId' | 'feedDocumentId' | 'feedStatus' | 'nextAttemptAt'>> = {}): Promise<string[]> {
    const rows = cancellations.map((c) => ({
      id: randomUUID(),
      kind: NotificationKind.Cancellation,
      state: NotificationState.Pending,
      accountId: this.accountId,
      marketplaceId: this.marketplaceId,
      orderId: randomUUID(),
      amazonOrderId: c.amazonOrderId,
      deliveryId: null,
      payload: { reason: c.reason ?? 'NoInventory', items: c.orderItemIds.map((orderItemId) => ({ orderItemId, quantity: 1 })) },
      attempts: 0,
      nextAttemptAt: new Date(),
      ...extra,
    }));
    for (let i = 0; i < rows.length; i += 500) await this.dataSource.getRepository(Notification).insert(rows.slice(i, i + 500));
    return rows.map((row) => row.id);
  }

  /** Pending unit cancellations, as the intake writes them (`extra`: as a submission left them). Returns their ids. */
  async addUnitCancellations(
    cancellations: { amazonOrderId: string; items: { orderItemId: string; quantity: number; quantityLeft?: number }[]; reason?: string }[],
    extra: Partial<Pick<Notification, 'attempts' | 'feedMessageId' | 'feedDocumentId' | 'nextAttemptAt'>> = {},
  ): Promise<string[]> {
    const rows = cancellations.map((c) => ({
      id: randomUUID(),
      kind: NotificationKind.UnitCancellation,
      state: NotificationState.Pending,
      accountId: this.accountId,
      marketplaceId: this.marketplaceId,
      orderId: randomUUID(),
      amazonOrderId: c.amazonOrderId,
      deliveryId: null,
      cancellationId: randomUUID(),
      payload: { reason: c.reason ?? 'NoInventory', items: c.items },
      attempts: 0,
      nextAttemptAt: new Date(),
      ...extra,
    }));
    await this.dataSource.getRepository(Notification).insert(rows);
    return rows.map((row) => row.id);
  }

  /** An order as the sandbox holds it (its items' quantityOrdered: what Amazon shows). */
  async sandboxOrder(amazonOrderId: string): Promise<{ orderId: string; orderItems: { orderItemId: string; quantityOrdered: number }[] }> {
    return (await this.sandboxRequest('GET', `/_sandbox/orders/${amazonOrderId}`)).body.order;
  }

  /** How often the sandbox received and answered each operation for the harness's seller. */
  async calls(operation: string): Promise<{ received: number; calls: number; errors?: number }> {
    return (await this.sandboxRequest('GET', `/_sandbox/calls?sellerId=${this.seller.sellerId}`)).body.operations[operation] ?? { received: 0, calls: 0 };
  }

  notifications(ids?: string[]): Promise<Notification[]> {
    const repository = this.dataSource.getRepository(Notification);
    return ids ? repository.findBy(ids.map((id) => ({ id }))) : repository.find();
  }

  async feeds(): Promise<{ feedId: string; feedType: string; processingStatus: string; messages: { messageId: string; amazonOrderId?: string; statusCode?: string; items?: { amazonOrderItemCode?: string; cancelReason?: string }[] }[] }[]> {
    return (await this.sandboxRequest('GET', `/_sandbox/feeds?sellerId=${this.seller.sellerId}`)).body.feeds;
  }

  async sandboxRequest(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const response = await fetch(`${this.sandboxUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  async stop(): Promise<void> {
    for (const sender of this.senders) await sender.onApplicationShutdown();
    await this.sandbox?.stop();
    await this.dataSource?.destroy();
    await this.env.tearDown().catch(() => undefined);
  }
}
