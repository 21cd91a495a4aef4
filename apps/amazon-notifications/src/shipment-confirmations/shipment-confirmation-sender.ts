import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { NotificationKind, NotificationState } from '@connector/contracts';
import { SETTINGS } from '@connector/platform';
import { CallNotStartedError, confirmShipment, ShipmentConfirmation, SpApiError } from '@connector/sp-api';
import { backoffDelay, claimDueRows, inWorkContext, keepLeaseAlive, PeriodicWorker, returnedRows, settleWithin } from '@connector/workers';
import { DataSource } from 'typeorm';
import { AmazonAccessService } from '../amazon-access/amazon-access.service';
import { AmazonNotificationsSettings } from '../amazon-notifications.settings';
import { DueNotifications } from '../notifications/due-notifications';
import { Notification } from '../notifications/notification.entity';
import { NotificationOutcomes } from '../notifications/notification-outcomes';
import { gaveUpMessage, isTransientFailure, notifyBackoff, OUTAGE_TRY, outageOutlasted } from '../notifications/notification-retries';

const BATCH = 100;

/** How long a stopping sender lets the confirmations on the wire finish (Amazon answers in well under a second). */
const SHUTDOWN_GRACE_MS = 3000;

/**
 * Sends due shipment confirmations. A batch is claimed with `for update skip locked` and a
 * lease on next_attempt_at, kept alive while its sends run (a send may wait minutes for
 * Amazon's quota, or for a slow answer), so another replica never takes a row mid-send. A
 * crash between Amazon's answer and our record only means a resend after the lease, which
 * Amazon takes as an update of the same packageReferenceId, not a second shipment.
 *
 * Failures: an outage (network, timeout, 408, 429, 5xx) is retried with capped back-off and
 * jitter for NOTIFY_RETRY_HOURS; Amazon's refusal of the content (another 4xx) fails it until
 * retried by hand (one, or in bulk through the API).
 */
@Injectable()
export class ShipmentConfirmationSender implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ShipmentConfirmationSender.name);
  private stopped = false;
  private worker?: PeriodicWorker;
  /** Claimed rows whose send is under way, by id: their lease is renewed while they run. */
  private readonly inFlight = new Map<string, Promise<void>>();
  /** Those of them whose call went out to Amazon (the others still wait for a quota token). */
  private readonly onWire = new Set<string>();

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
      // A pass may be waiting minutes for Amazon's quota: stopping does not wait for it; what
      // it claimed is handed back (onApplicationShutdown).
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
      if (this.stopped) return;
      const claimed = await this.claim(NotificationKind.ShipmentConfirmation);
      if (claimed.length === 0) return;
      if (this.stopped) {
        await this.handBack(claimed.map((n) => n.id));
        return;
      }
      const lease = this.keepClaimed();
      try {
        // Accounts in parallel; within an account the client's token bucket paces the calls.
        await Promise.all(claimed.map((notification) => this.track(notification.id, this.sendShipment(notification))));
      } finally {
        lease.stop();
      }
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

  private track(id: string, send: Promise<void>): Promise<void> {
    this.inFlight.set(id, send);
    return send.finally(() => {
      this.inFlight.delete(id);
      this.onWire.delete(id);
    });
  }

  /** Renews the lease of every row still being sent, a few times per lease. */
  private keepClaimed() {
    return keepLeaseAlive({
      renew: async () => {
        // Once stopping, rows not on the wire are handed back: only the others stay ours.
        const ids = [...this.inFlight.keys()].filter((id) => !this.stopped || this.onWire.has(id));
        if (ids.length === 0) return true;
        const renewed = returnedRows(
          await this.dataSource.query(
            `update notifications set next_attempt_at = now() + make_interval(secs => $2) where id = any($1::uuid[]) and state = 'pending' returning id`,
            [ids, this.settings.NOTIFY_CLAIM_SECONDS],
          ),
        );
        return renewed.length > 0;
      },
      everyMs: (this.settings.NOTIFY_CLAIM_SECONDS * 1000) / 4,
      onError: (err) => this.logger.warn(`extending the claim of shipment confirmations failed: ${err.message}`),
    });
  }

  private async sendShipment(notification: Notification): Promise<void> {
    // Under the correlation id of the validation that made it; its lines (and its outcome's) name the account and the order.
    const context = { correlationId: notification.correlationId ?? undefined, accountId: notification.accountId, amazonOrderId: notification.amazonOrderId };
    return inWorkContext(context, () => this.sendShipmentInContext(notification));
  }

  private async sendShipmentInContext(notification: Notification): Promise<void> {
    try {
      const client = await this.amazon.client(notification.accountId);
      // A stopping sender withdraws a call that has not gone out yet: the row is handed back.
      const mayStart = () => !this.stopped && !!this.onWire.add(notification.id);
      await confirmShipment(client, notification.amazonOrderId, notification.payload as unknown as ShipmentConfirmation, { mayStart });
      await this.finish(notification, NotificationState.Sent, null, { status: 204 });
      this.logger.log(`shipment of order ${notification.amazonOrderId} confirmed to Amazon`);
    } catch (err) {
      if (err instanceof CallNotStartedError) return;
      await this.failed(notification, err);
    }
  }

  /** An outage waits with capped back-off (for NOTIFY_RETRY_HOURS); Amazon's refusal of the content is final until retried by hand. */
  async failed(notification: Notification, err: unknown): Promise<void> {
    const message = err instanceof Error ? err.message : String(err);
    const transient = isTransientFailure(err);
    if (transient && !outageOutlasted(notification, this.settings)) {
      const delayMs = backoffDelay(notification.attempts, notifyBackoff(this.settings));
      this.logger.warn(`${notification.kind} ${notification.amazonOrderId}: ${message}; retry in ${Math.round(delayMs / 1000)}s`);
      await this.dataSource.getRepository(Notification).update(
        { id: notification.id, state: NotificationState.Pending },
        { lastError: message, nextAttemptAt: new Date(Date.now() + delayMs), ...OUTAGE_TRY },
      );
      return;
    }
    const error = transient ? gaveUpMessage(notification, message) : message;
    await this.finish(notification, NotificationState.Failed, error, err instanceof SpApiError ? (err.body ?? null) : null, err);
  }

  async finish(notification: Notification, state: NotificationState, error: string | null, response: unknown, cause?: unknown): Promise<void> {
    await this.dataSource.transaction((manager) => this.outcomes.recordOutcome(manager, notification, state, error, response, { cause }));
  }

  /** Due again now, for another replica (or this one's restart): the claim did not become a try. */
  private async handBack(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const rows = returnedRows(
      await this.dataSource.query(
        `update notifications set next_attempt_at = now(), attempts = greatest(attempts - 1, 0) where id = any($1::uuid[]) and state = 'pending' returning id`,
        [ids],
      ),
    );
    if (rows.length) this.logger.log(`handed back ${rows.length} claimed shipment confirmation(s) at shutdown`);
  }

  /**
   * Stops claiming and hands back at once what has not gone out to Amazon (waiting for its
   * quota token: such a call is withdrawn when its token comes), so another replica sends it
   * now rather than after the lease. Calls on the wire get a moment to finish and record their
   * outcome; one that does not keeps its lease (sent again after it, as after a crash).
   */
  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.worker?.stop();
    const notSent = [...this.inFlight.keys()].filter((id) => !this.onWire.has(id));
    await this.handBack(notSent).catch((err) => this.logger.warn(`handing back shipment confirmations failed: ${err.message}`));
    await settleWithin(Promise.allSettled([...this.onWire].map((id) => this.inFlight.get(id))), SHUTDOWN_GRACE_MS);
  }
}
