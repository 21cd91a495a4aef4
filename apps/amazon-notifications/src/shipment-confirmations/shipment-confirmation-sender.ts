import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { NotificationKind, NotificationState } from '@connector/contracts';
import { SETTINGS } from '@connector/platform';
import { confirmShipment, ShipmentConfirmation, SpApiError } from '@connector/sp-api';
import { backoffDelay, claimDueRows, PeriodicWorker } from '@connector/workers';
import { NOTIFY_BACKOFF } from '../notifications/notification-backoff';
import { DataSource } from 'typeorm';
import { AmazonAccessService } from '../amazon-access/amazon-access.service';
import { AmazonNotificationsSettings } from '../amazon-notifications.settings';
import { DueNotifications } from '../notifications/due-notifications';
import { Notification } from '../notifications/notification.entity';
import { NotificationOutcomes } from '../notifications/notification-outcomes';

const BATCH = 100;


/**
 * Sends due shipment confirmations. A batch is claimed with `for update skip locked` and a
 * lease on next_attempt_at, so replicas never send the same one at once and a crash between
 * Amazon's answer and our record only means a resend, which Amazon takes as an update of the
 * same packageReferenceId, not a second shipment.
 */
@Injectable()
export class ShipmentConfirmationSender implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ShipmentConfirmationSender.name);
  private stopped = false;
  private worker?: PeriodicWorker;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outcomes: NotificationOutcomes,
    private readonly amazon: AmazonAccessService,
    @Inject(SETTINGS) private readonly settings: AmazonNotificationsSettings,
    due: DueNotifications,
  ) {
    due.onDue(() => this.kick());
  }

  onApplicationBootstrap(): void {
    this.worker = new PeriodicWorker({
      name: 'sending shipment confirmations',
      pass: () => this.sendDue(),
      everyMs: this.settings.NOTIFY_POLL_MS,
      onError: (message) => this.logger.warn(message),
      // A pass may be waiting minutes for Amazon's quota: stopping does not wait for it.
      // What it claimed is sent again after the claim lease.
      stopWaitMs: 0,
    });
    this.worker.start();
  }

  /** Look for due confirmations now (after a commit that made one due). */
  kick(): void {
    this.worker?.kick();
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
    const ids = await claimDueRows(this.dataSource, {
      table: 'notifications',
      where: `state = 'pending' and kind = $1`,
      parameters: [kind],
      orderBy: 'next_attempt_at',
      limit: BATCH,
      leaseColumn: 'next_attempt_at',
      leaseSeconds: this.settings.NOTIFY_CLAIM_SECONDS,
      alsoSet: 'attempts = attempts + 1',
    });
    if (ids.length === 0) return [];
    return this.dataSource.getRepository(Notification).findBy(ids.map((id) => ({ id })));
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
      const delayMs = backoffDelay(notification.attempts, NOTIFY_BACKOFF);
      this.logger.warn(`${notification.kind} ${notification.amazonOrderId}: ${message}; retry in ${Math.round(delayMs / 1000)}s`);
      await this.dataSource.getRepository(Notification).update(
        { id: notification.id },
        { lastError: message, nextAttemptAt: new Date(Date.now() + delayMs) },
      );
      return;
    }
    await this.finish(notification, NotificationState.Failed, message, err instanceof SpApiError ? (err.body ?? null) : null);
  }

  async finish(notification: Notification, state: NotificationState, error: string | null, response: unknown): Promise<void> {
    await this.dataSource.transaction((manager) => this.outcomes.recordOutcome(manager, notification, state, error, response));
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.worker?.stop();
  }
}
