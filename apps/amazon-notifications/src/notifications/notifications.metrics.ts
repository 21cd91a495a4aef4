import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { NotificationKind, NotificationState } from '@connector/contracts';
import { boundedQuery, counter, ScrapeTimeGauges } from '@connector/platform';
import { DataSource } from 'typeorm';

/** Outcomes as they are recorded (in the transaction that records them). */
export const notificationOutcomes = counter({
  name: 'connector_notifications_completed_total',
  help: 'Shipment confirmations and cancellations that reached their outcome, by kind (shipment_confirmation, cancellation) and state (sent; failed: for good, retried only by hand)',
  labelNames: ['kind', 'state'],
});

export function countOutcome(kind: NotificationKind, state: NotificationState): void {
  notificationOutcomes.inc({ kind, state });
}

interface NotificationsReading {
  byState: { kind: string; state: string; n: number; oldest: number }[];
  feeds: number;
}

/**
 * What waits and what failed, read at scrape time (bounded): notifications pending and failed by
 * kind, the age of the oldest pending one, and cancellation feeds submitted to Amazon and not yet
 * done. Every replica reports the same: take the max.
 */
@Injectable()
export class NotificationsMetrics implements OnModuleInit, OnApplicationShutdown {
  private gauges?: ScrapeTimeGauges<NotificationsReading>;

  constructor(private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    const kinds = Object.values(NotificationKind);
    // Every outcome series from 0: Prometheus's increase() sees the first failure after a start.
    for (const kind of kinds) for (const state of [NotificationState.Sent, NotificationState.Failed]) notificationOutcomes.inc({ kind, state }, 0);
    this.gauges = new ScrapeTimeGauges<NotificationsReading>(
      'notifications',
      async () => ({
        byState: await boundedQuery(
          this.dataSource,
          `select kind, state, count(*)::int as n, extract(epoch from now() - min(created_at))::float8 as oldest
             from notifications where state in ('pending', 'failed') group by kind, state`,
        ),
        feeds: (
          await boundedQuery<{ n: number }>(
            this.dataSource,
            `select count(distinct feed_id)::int as n from notifications where state = 'pending' and feed_id is not null`,
          )
        )[0].n,
      }),
      [
        {
          name: 'connector_notifications',
          help: 'Shipment confirmations and cancellations pending (to send, or retrying) and failed (need a person: retry by hand), by kind and state',
          labelNames: ['kind', 'state'],
          // Every kind and state, 0 included: a panel or rule sees 0 rather than nothing.
          samples: (r) =>
            kinds.flatMap((kind) =>
              [NotificationState.Pending, NotificationState.Failed].map((state) => ({
                labels: { kind, state },
                value: r.byState.find((row) => row.kind === kind && row.state === state)?.n ?? 0,
              })),
            ),
        },
        {
          name: 'connector_notifications_oldest_pending_age_seconds',
          help: 'Age of the oldest pending notification, by kind (0 when none waits)',
          labelNames: ['kind'],
          samples: (r) =>
            kinds.map((kind) => ({
              labels: { kind },
              value: Math.max(0, r.byState.find((row) => row.kind === kind && row.state === NotificationState.Pending)?.oldest ?? 0),
            })),
        },
        {
          name: 'connector_cancellation_feeds_in_progress',
          help: 'Cancellation feeds (POST_ORDER_ACKNOWLEDGEMENT_DATA, POST_PAYMENT_ADJUSTMENT_DATA) submitted to Amazon whose outcome is not yet known',
          samples: (r) => [{ value: r.feeds }],
        },
      ],
    );
  }

  onApplicationShutdown(): void {
    this.gauges?.remove();
  }
}
