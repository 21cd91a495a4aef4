import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { boundedQuery, counter, ScrapeTimeGauges } from '@connector/platform';
import { DataSource } from 'typeorm';

/** Each try of a delivery, by outcome: `delivered` (a 2xx), `failed` (anything else: it is retried, or given up). */
export const alertDeliveryAttempts = counter({
  name: 'connector_alert_delivery_attempts_total',
  help: 'Tries to POST an alert to a webhook, by outcome (delivered: a 2xx; failed: another status, a timeout, a refused or failed connection, an address not allowed)',
  labelNames: ['outcome'],
});

/** The states of the gauge, every one reported (0 included) so a panel or rule sees 0 rather than nothing. */
export const ALERT_DELIVERY_STATES = ['pending', 'failing', 'given_up'] as const;

/** Deliveries are counted up to this many per state (bounded however large the log): that value means "at least". */
export const ALERT_DELIVERY_COUNT_CAP = 10_000;

type AlertDeliveryCounts = Record<(typeof ALERT_DELIVERY_STATES)[number], number>;

/**
 * The delivery log at scrape time (bounded like the other database gauges): deliveries waiting for
 * their first try, failing (tried, not delivered, still retried) and given up (ALERT_RETRY_HOURS ran
 * out; kept in the log 30 days). Every gateway replica reports the same: take the max.
 */
@Injectable()
export class AlertDeliveryMetrics implements OnModuleInit, OnApplicationShutdown {
  private gauges?: ScrapeTimeGauges<AlertDeliveryCounts>;

  constructor(private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    // Both outcomes from 0: Prometheus's increase() sees the first failure after a start.
    for (const outcome of ['delivered', 'failed']) alertDeliveryAttempts.inc({ outcome }, 0);
    this.gauges = new ScrapeTimeGauges<AlertDeliveryCounts>(
      'alert_deliveries',
      async () => {
        // Due ones through the partial index alert_deliveries_due; given-up ones are few (a 30-day log of failures).
        const [row] = await boundedQuery<AlertDeliveryCounts>(
          this.dataSource,
          `select (select count(*)::int from (select 1 from alert_deliveries where next_attempt_at is not null and attempts = 0 limit $1) d) as pending,
                  (select count(*)::int from (select 1 from alert_deliveries where next_attempt_at is not null and attempts > 0 limit $1) d) as failing,
                  (select count(*)::int from (select 1 from alert_deliveries where given_up_at is not null limit $1) d) as given_up`,
          [ALERT_DELIVERY_COUNT_CAP],
        );
        return row;
      },
      [
        {
          name: 'connector_alert_deliveries',
          help: `Alert deliveries to webhooks by state: pending (not tried yet), failing (tried and not delivered, retried), given_up (retries ran out, kept 30 days); counted up to ${ALERT_DELIVERY_COUNT_CAP}`,
          labelNames: ['state'],
          samples: (counts) => ALERT_DELIVERY_STATES.map((state) => ({ labels: { state }, value: counts[state] })),
        },
      ],
    );
  }

  onApplicationShutdown(): void {
    this.gauges?.remove();
  }
}
