import { Injectable, Logger } from '@nestjs/common';
import { AlertKind, NOTIFICATION_FAILED, NOTIFICATION_SENT, NotificationOutcomeEvent, NotificationState } from '@connector/contracts';
import { alertText, errorClass, Outbox, raiseAlert, raiseEpisodeAlert, resolveEpisodeAlert } from '@connector/messaging';
import { isCredentialsRefused, SpApiError } from '@connector/sp-api';
import { inWorkContext } from '@connector/workers';
import { EntityManager } from 'typeorm';
import { Notification } from './notification.entity';
import { countOutcome } from './notifications.metrics';

/** The final outcome of a notification, whichever sender reached it. */
@Injectable()
export class NotificationOutcomes {
  private readonly logger = new Logger(NotificationOutcomes.name);

  constructor(private readonly outbox: Outbox) {}

  /**
   * Writes a final outcome and its `notification.sent/failed` event in the caller's
   * transaction. With `onlyInFeed`, only a notification still pending in that feed is
   * touched (a second poller of the same feed changes nothing); returns whether it was.
   * `cause`: the error of a failure, when there is one (a refusal of the account's credentials
   * is alerted as such too). `refusedByAmazon`: a failure Amazon surely did not apply (see
   * NotificationOutcomeEvent): only then does order-ingestion give a seller's cancelled units back.
   */
  async recordOutcome(
    manager: EntityManager,
    notification: Notification,
    state: NotificationState,
    error: string | null,
    response: unknown,
    options: { onlyInFeed?: string; cause?: unknown; refusedByAmazon?: boolean } = {},
  ): Promise<boolean> {
    const where = options.onlyInFeed ? { id: notification.id, state: NotificationState.Pending, feedId: options.onlyInFeed } : { id: notification.id };
    const decidedAt = new Date();
    const result = await manager.update(Notification, where, {
      state,
      lastError: error,
      amazonResponse: response as object,
      nextAttemptAt: null,
      sentAt: state === NotificationState.Sent ? decidedAt : null,
      decidedAt,
    });
    if (options.onlyInFeed && !result.affected) return false;
    const event: NotificationOutcomeEvent = {
      notificationId: notification.id,
      kind: notification.kind,
      orderId: notification.orderId,
      deliveryId: notification.deliveryId,
      state,
      error,
      // This process's clock: two outcomes of one order are a retry's back-off apart at least.
      decidedAt: decidedAt.toISOString(),
      ...(notification.cancellationId ? { cancellationId: notification.cancellationId, items: cancelledUnits(notification) } : {}),
      ...(notification.cancellationId && state === NotificationState.Failed ? { refusedByAmazon: options.refusedByAmazon === true } : {}),
    };
    await this.outbox.add(manager, state === NotificationState.Sent ? NOTIFICATION_SENT : NOTIFICATION_FAILED, event);
    if (state === NotificationState.Failed) {
      this.logFailure(notification, error, options);
      // Failed for good (no retry left): someone must tell Amazon by hand or fix and retry it.
      // Not the error's text (Amazon's answers and validation messages echo what was sent):
      // its class and code; the notification's lastError, behind the API, has it all.
      const reason = options.cause === undefined ? (options.onlyInFeed ? "refused in Amazon's feed processing report" : 'failed') : errorClass(options.cause);
      await raiseAlert(manager, {
        kind: AlertKind.NotificationFailed,
        service: 'amazon-notifications',
        accountId: notification.accountId,
        amazonOrderId: notification.amazonOrderId,
        summary: !notification.cancellationId
          ? `the ${notification.kind} of order ${notification.amazonOrderId} failed for good: ${alertText(reason, 300)}`
          : options.refusedByAmazon
            ? // The seller's units come back on the order's lines (order-ingestion), not on a delivery: a person decides.
              `the ${notification.kind} of order ${notification.amazonOrderId} failed for good: ${alertText(reason, 300)}; its units are counted as not cancelled again, but are not back on a delivery: ship them (a new delivery) or cancel them again`
            : // Amazon may have applied it: giving the units back could ship what the buyer is refunded for.
              `the ${notification.kind} of order ${notification.amazonOrderId} failed for good: ${alertText(reason, 300)}; Amazon may have applied it: its units stay cancelled on the order; check the order at Amazon and retry it by hand only if its units are not cancelled there`,
        details: { notificationId: notification.id, notificationKind: notification.kind, orderId: notification.orderId, deliveryId: notification.deliveryId, reason: alertText(reason) },
      });
      if (isCredentialsRefused(options.cause)) {
        const refusal = options.cause;
        await raiseEpisodeAlert(manager, notification.accountId, {
          kind: AlertKind.CredentialsRefused,
          service: 'amazon-notifications',
          accountId: notification.accountId,
          summary: `Amazon refuses the credentials of account ${notification.accountId} (${refusal.code}): give it a new refresh token (PATCH /api/v1/accounts/${notification.accountId})`,
          details: { status: refusal.status, code: refusal.code, reason: alertText(refusal.message) },
        });
      }
    } else {
      // Amazon took something of the account: its credentials work (again). (A delete that finds nothing, most times.)
      await resolveEpisodeAlert(manager, notification.accountId, {
        kind: AlertKind.CredentialsRefused,
        service: 'amazon-notifications',
        accountId: notification.accountId,
        summary: `Amazon takes the credentials of account ${notification.accountId} again`,
        details: {},
      });
    }
    countOutcome(notification.kind, state);
    return true;
  }

  /**
   * One warn line per notification failed for good (a shipment confirmation Amazon refused, a
   * cancellation whose feed gave up or was refused), under the order's work context. Amazon's
   * status and code, and its message bounded: Amazon's messages are about the request; the
   * notification's lastError, behind the API, has it whole.
   */
  private logFailure(notification: Notification, error: string | null, options: { onlyInFeed?: string; cause?: unknown }): void {
    const cause = options.cause;
    const amazon = cause instanceof SpApiError ? `Amazon's answer to ${cause.operation}: ${cause.status} ${cause.code}` : options.onlyInFeed ? `feed ${options.onlyInFeed}` : errorClass(cause);
    const context = { correlationId: notification.correlationId ?? undefined, accountId: notification.accountId, amazonOrderId: notification.amazonOrderId };
    inWorkContext(context, () =>
      this.logger.warn(`the ${notification.kind.replace(/_/g, ' ')} of order ${notification.amazonOrderId} failed for good (${amazon}): ${alertText(error ?? 'no error recorded', 300)}`),
    );
  }
}

/** The units a seller's cancellation of items or units asked for (its payload's items). */
function cancelledUnits(notification: Notification): { orderItemId: string; quantity: number }[] {
  const items = (notification.payload as { items?: { orderItemId: string; quantity: number }[] }).items ?? [];
  return items.map((item) => ({ orderItemId: item.orderItemId, quantity: item.quantity }));
}
