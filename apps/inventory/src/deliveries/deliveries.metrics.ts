import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { boundedQuery, ScrapeTimeGauges } from '@connector/platform';
import { DataSource } from 'typeorm';

interface WaitingRow {
  account_id: string;
  n: number;
  oldest: number;
}

interface ShippedOutsideRow {
  account_id: string;
  n: number;
}

/**
 * FBM deliveries ready to ship and not yet validated (the seller's part: pick, pack, validate
 * with the tracking number), by account, read at scrape time (bounded). Every replica reports
 * the same: take the max by account.
 */
@Injectable()
export class DeliveriesMetrics implements OnModuleInit, OnApplicationShutdown {
  private gauges?: ScrapeTimeGauges<WaitingRow[]>;
  private shippedOutside?: ScrapeTimeGauges<ShippedOutsideRow[]>;

  constructor(private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    this.gauges = new ScrapeTimeGauges<WaitingRow[]>(
      'deliveries',
      () =>
        boundedQuery<WaitingRow>(
          this.dataSource,
          `select account_id, count(*)::int as n, extract(epoch from now() - min(created_at))::float8 as oldest
             from deliveries where state = 'ready' group by account_id`,
        ),
      [
        {
          name: 'connector_deliveries_waiting',
          help: 'FBM deliveries ready to ship and not yet validated, by account',
          labelNames: ['account_id'],
          samples: (rows) => rows.map((row) => ({ labels: { account_id: row.account_id }, value: row.n })),
        },
        {
          name: 'connector_deliveries_oldest_waiting_age_seconds',
          help: 'Age of the oldest FBM delivery waiting to be validated, by account',
          labelNames: ['account_id'],
          samples: (rows) => rows.map((row) => ({ labels: { account_id: row.account_id }, value: Math.max(0, row.oldest) })),
        },
      ],
    );
    // A seller who ships many orders from Seller Central may not know the connector is told
    // by Amazon only at the next sync: these never get a confirmation from us.
    this.shippedOutside = new ScrapeTimeGauges<ShippedOutsideRow[]>(
      'deliveries_shipped_outside',
      () =>
        boundedQuery<ShippedOutsideRow>(
          this.dataSource,
          `select account_id, count(*)::int as n from deliveries
            where shipped_outside_at > now() - interval '24 hours' group by account_id`,
        ),
      [
        {
          name: 'connector_deliveries_shipped_outside_24h',
          help: 'FBM deliveries Amazon reported shipped in the last 24 hours without the connector confirming them (Seller Central, Buy Shipping), by account',
          labelNames: ['account_id'],
          samples: (rows) => rows.map((row) => ({ labels: { account_id: row.account_id }, value: row.n })),
        },
      ],
    );
  }

  onApplicationShutdown(): void {
    this.gauges?.remove();
    this.shippedOutside?.remove();
  }
}
