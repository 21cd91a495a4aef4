import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { NOTIFICATION_FAILED, NOTIFICATION_SENT, NotificationKind, NotificationOutcomeEvent, NotificationState } from '@connector/contracts';
import { Outbox, SingleFlight } from '@connector/messaging';
import { SETTINGS } from '@connector/platform';
import { confirmShipment, ShipmentConfirmation, SpApiError } from '@connector/sp-api';
import { DataSource, EntityManager } from 'typeorm';
import { AmazonAccessService } from '../amazon-access/amazon-access.service';
import { NotificationsSettings } from '../notifications.settings';
import { Notification } from './notification.entity';

const BATCH = 100;

/**
 * Sends due shipment confirmations. A batch is claimed with `for update skip locked` and a
 * lease on next_attempt_at, so replicas never send the same one at once and a crash between
 * Amazon's answer and our record only means a resend, which Amazon takes as an update of the
 * same packageReferenceId, not a second shipment.
 */
@Injectable()
export class NotificationSender implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(NotificationSender.name);
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private readonly runner = new SingleFlight(
    () => this.sendDue(),
    (err) => this.logger.warn(`sending notifications failed: ${err.message}`),
  );

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly amazon: AmazonAccessService,
    @Inject(SETTINGS) private readonly settings: NotificationsSettings,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.kick(), this.settings.NOTIFY_POLL_MS);
    this.kick();
  }

  /** After the intake's transaction commits (it cannot tell us when), look again. */
  kickSoon(): void {
    setTimeout(() => this.kick(), 20);
  }

  kick(): void {
    this.runner.kick();
  }

  async sendDue(): Promise<void> {
    for (;;) {
      const claimed = await this.claim(NotificationKind.ShipmentConfirmation);
      if (claimed.length === 0 || this.stopped) return;
      // Accounts in parallel; within an account the client's token bucket paces the calls.
      await Promise.all(claimed.map((notification) => this.sendShipment(notification)));
      if (claimed.length < BATCH) return;
    }
  }

  private async claim(kind: NotificationKind): Promise<Notification[]> {
    const [rows]: [Record<string, unknown>[], number] = await this.dataSource.query(
      `update notifications set next_attempt_at = now() + make_interval(secs => $3), attempts = attempts + 1
        where id in (select id from notifications
                      where state = 'pending' and kind = $1 and next_attempt_at <= now()
                      order by next_attempt_at limit $2 for update skip locked)
        returning id`,
      [kind, BATCH, this.settings.NOTIFY_CLAIM_SECONDS],
    );
    if (rows.length === 0) return [];
    return this.dataSource.getRepository(Notification).findBy(rows.map((row) => ({ id: row.id as string })));
  }

  private async sendShipment(notification: Notification): Promise<void> {
    try {
      const client = await this.amazon.client(notification.accountId);
      await confirmShipment(client, notification.amazonOrderId, notification.payload as unknown as ShipmentConfirmation);
      await this.finish(notification, NotificationState.Sent, null, { status: 204 });
    } catch (err) {
      await this.failed(notification, err);
    }
  }

  /** Retriable errors wait with exponential back-off; Amazon's 4xx answers are final until retried by hand. */
  async failed(notification: Notification, err: unknown): Promise<void> {
    const message = err instanceof Error ? err.message : String(err);
    const retriable = !(err instanceof SpApiError) || err.retriable;
    if (retriable && notification.attempts < this.settings.NOTIFY_MAX_ATTEMPTS) {
      const delaySeconds = Math.min(2 ** notification.attempts, 600);
      this.logger.warn(`${notification.kind} ${notification.amazonOrderId}: ${message}; retry in ${delaySeconds}s`);
      await this.dataSource.getRepository(Notification).update(
        { id: notification.id },
        { lastError: message, nextAttemptAt: new Date(Date.now() + delaySeconds * 1000) },
      );
      return;
    }
    await this.finish(notification, NotificationState.Failed, message, err instanceof SpApiError ? (err.body ?? null) : null);
  }

  async finish(notification: Notification, state: NotificationState, error: string | null, response: unknown): Promise<void> {
    await this.dataSource.transaction((manager) => this.recordOutcome(manager, notification, state, error, response));
  }

  /**
   * Writes a final outcome and its `notification.sent/failed` event in the caller's
   * transaction. With `onlyInFeed`, only a notification still pending in that feed is
   * touched (a second poller of the same feed changes nothing); returns whether it was.
   */
  async recordOutcome(
    manager: EntityManager,
    notification: Notification,
    state: NotificationState,
    error: string | null,
    response: unknown,
    options: { onlyInFeed?: string } = {},
  ): Promise<boolean> {
    const where = options.onlyInFeed ? { id: notification.id, state: NotificationState.Pending, feedId: options.onlyInFeed } : { id: notification.id };
    const result = await manager.update(Notification, where, {
      state,
      lastError: error,
      amazonResponse: response as object,
      nextAttemptAt: null,
      sentAt: state === NotificationState.Sent ? new Date() : null,
    });
    if (options.onlyInFeed && !result.affected) return false;
    const event: NotificationOutcomeEvent = {
      notificationId: notification.id,
      kind: notification.kind,
      orderId: notification.orderId,
      deliveryId: notification.deliveryId,
      state,
      error,
    };
    await this.outbox.add(manager, state === NotificationState.Sent ? NOTIFICATION_SENT : NOTIFICATION_FAILED, event);
    return true;
  }

  onApplicationShutdown(): void {
    // A pass may be waiting minutes for Amazon's quota: not awaited. What it claimed is
    // sent again after the claim lease.
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    void this.runner.stop();
  }
}
