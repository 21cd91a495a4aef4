import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { boundedQuery, ScrapeTimeGauges } from '@connector/platform';
import { DataSource } from 'typeorm';

interface WaitingReading {
  n: number;
  accounts: number;
  oldest: number | null;
}

interface ShippedOutsideReading {
  n: number;
  accounts: number;
}

/**
 * The deliveries waiting, read every scrape on every replica: an index-only scan of the partial
 * index deliveries_ready (deliveries are never deleted, so the table only grows).
 */
export const WAITING_DELIVERIES_SQL = `select count(*)::int as n, count(distinct account_id)::int as accounts, extract(epoch from now() - min(created_at))::float8 as oldest
  from deliveries where state = 'ready'`;

/**
 * FBM deliveries ready to ship and not yet validated (the seller's part: pick, pack, validate
 * with the tracking number), over every account, read at scrape time (one bounded aggregate
 * statement: the series are as many for 2 accounts as for 10,000). Every replica reports the
 * same: take the max. Which accounts they are is the API's: GET /api/v1/deliveries?state=ready.
 */
@Injectable()
export class DeliveriesMetrics implements OnModuleInit, OnApplicationShutdown {
  private gauges?: ScrapeTimeGauges<WaitingReading>;
  private shippedOutside?: ScrapeTimeGauges<ShippedOutsideReading>;

  constructor(private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    this.gauges = new ScrapeTimeGauges<WaitingReading>(
      'deliveries',
      async () =>
        (
          await boundedQuery<WaitingReading>(
            this.dataSource,
            WAITING_DELIVERIES_SQL,
          )
        )[0],
      [
        {
          name: 'connector_deliveries_waiting',
          help: 'FBM deliveries ready to ship and not yet validated, of every account',
          samples: (r) => [{ value: r.n }],
        },
        {
          name: 'connector_deliveries_waiting_accounts',
          help: 'Accounts with at least one FBM delivery ready to ship and not yet validated',
          samples: (r) => [{ value: r.accounts }],
        },
        {
          name: 'connector_deliveries_oldest_waiting_age_seconds',
          help: 'Age of the oldest FBM delivery waiting to be validated, of every account (0 while none waits)',
          samples: (r) => [{ value: Math.max(0, r.oldest ?? 0) }],
        },
      ],
    );
    // A seller who ships many orders from Seller Central may not know the connector is told
    // by Amazon only at the next sync: these never get a confirmation from us.
    this.shippedOutside = new ScrapeTimeGauges<ShippedOutsideReading>(
      'deliveries_shipped_outside',
      async () =>
        (
          await boundedQuery<ShippedOutsideReading>(
            this.dataSource,
            `select count(*)::int as n, count(distinct account_id)::int as accounts from deliveries
              where shipped_outside_at > now() - interval '24 hours'`,
          )
        )[0],
      [
        {
          name: 'connector_deliveries_shipped_outside_24h',
          help: 'FBM deliveries Amazon reported shipped in the last 24 hours without the connector confirming them (Seller Central, Buy Shipping), of every account',
          samples: (r) => [{ value: r.n }],
        },
        {
          name: 'connector_deliveries_shipped_outside_24h_accounts',
          help: 'Accounts with at least one FBM delivery Amazon reported shipped in the last 24 hours without the connector confirming it',
          samples: (r) => [{ value: r.accounts }],
        },
      ],
    );
  }

  onApplicationShutdown(): void {
    this.gauges?.remove();
    this.shippedOutside?.remove();
  }
}
