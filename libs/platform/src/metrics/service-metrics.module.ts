import { DynamicModule, Inject, Injectable, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Gauge, register } from 'prom-client';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { boundedQuery, ScrapeTimeGauges } from './scrape-time-gauges';

const OPTIONS = Symbol('ServiceMetricsOptions');

export interface ServiceMetricsOptions {
  /** The service keeps an outbox and parks events (libs/messaging): their gauges too. */
  events: boolean;
  /** OUTBOX_COUNT_CAP unless given (tests). */
  outboxCountCap?: number;
}

/**
 * What every service exports besides its features' own metrics (and the process's, with the
 * `service` and `replica` labels: startProcessMetrics in runService): the use of its PostgreSQL pool, and for
 * services with events the outbox's depth, the age of its oldest event, and events parked.
 */
@Injectable()
export class ServiceMetrics implements OnModuleInit, OnApplicationShutdown {
  private readonly owned: { remove(): void }[] = [];

  constructor(
    private readonly dataSource: DataSource,
    @Inject(OPTIONS) private readonly options: ServiceMetricsOptions,
  ) {}

  onModuleInit(): void {
    this.owned.push(poolGauges(() => poolOf(this.dataSource)));
    if (this.options.events) this.owned.push(eventGauges(this.dataSource, { outboxCountCap: this.options.outboxCountCap }));
  }

  onApplicationShutdown(): void {
    for (const metrics of this.owned.splice(0)) metrics.remove();
  }
}

@Module({})
export class MetricsModule {
  static forService(options: ServiceMetricsOptions): DynamicModule {
    return {
      module: MetricsModule,
      providers: [{ provide: OPTIONS, useValue: options }, ServiceMetrics],
    };
  }
}

/** The pg Pool under a TypeORM PostgreSQL data source (undefined before it is initialised). */
export function poolOf(dataSource: DataSource): Pool | undefined {
  return (dataSource.driver as unknown as { master?: Pool }).master;
}

/** Connections of the pool by state, read from the pool itself (no query) at scrape time. */
export function poolGauges(pool: () => Pool | undefined): { remove(): void } {
  const definitions: { name: string; help: string; value: (pool: Pool) => number }[] = [
    { name: 'connector_db_pool_connections', help: 'Connections the PostgreSQL pool holds (in use or idle)', value: (p) => p.totalCount },
    { name: 'connector_db_pool_idle_connections', help: 'Connections of the PostgreSQL pool not in use', value: (p) => p.idleCount },
    { name: 'connector_db_pool_waiting_requests', help: 'Queries waiting for a connection of the PostgreSQL pool (all in use)', value: (p) => p.waitingCount },
    { name: 'connector_db_pool_max_connections', help: 'Most connections the PostgreSQL pool opens (DATABASE_POOL_SIZE)', value: (p) => p.options.max ?? 10 },
  ];
  const gauges = definitions.map(({ name, help, value }) => {
    register.removeSingleMetric(name);
    return new Gauge({
      name,
      help,
      collect() {
        const current = pool();
        if (current) this.set(value(current));
      },
    });
  });
  return {
    remove: () =>
      definitions.forEach(({ name }, i) => {
        if (register.getSingleMetric(name) === gauges[i]) register.removeSingleMetric(name);
      }),
  };
}

/**
 * The outbox's depth is counted up to this many unpublished events (an index-only scan of its
 * partial index, bounded however large the backlog): the gauge saying this means "at least".
 */
export const OUTBOX_COUNT_CAP = 100_000;

/**
 * The outbox and parked events of the service's schema, read at scrape time: three readings,
 * each bounded on its own, so a slow one (a count over a large backlog) never freezes the others.
 * The oldest event's age comes first and cheapest (the partial index on position where
 * published_at is null, limit 1), so a backlog always moves it and ConnectorOutboxStuck fires.
 */
export function eventGauges(dataSource: DataSource, options: { outboxCountCap?: number } = {}): { remove(): void } {
  const cap = options.outboxCountCap ?? OUTBOX_COUNT_CAP;
  const readings = [
    new ScrapeTimeGauges<number>(
      'outbox_age',
      async () => {
        const [row] = await boundedQuery<{ oldest: number | null }>(
          dataSource,
          `select extract(epoch from now() - created_at)::float8 as oldest from outbox where published_at is null order by position limit 1`,
        );
        return Math.max(0, row?.oldest ?? 0);
      },
      [{ name: 'connector_outbox_oldest_event_age_seconds', help: 'Age of the oldest event not yet published (0 when the outbox is empty)', samples: (age) => [{ value: age }] }],
    ),
    new ScrapeTimeGauges<number>(
      'outbox_depth',
      async () => {
        const [row] = await boundedQuery<{ n: number }>(dataSource, `select count(*)::int as n from (select 1 from outbox where published_at is null limit $1) unpublished`, [cap]);
        return row.n;
      },
      [
        {
          name: 'connector_outbox_events',
          help: `Events written to the outbox and not yet published to JetStream, counted up to ${cap} (that value means at least as many)`,
          samples: (n) => [{ value: n }],
        },
      ],
    ),
    new ScrapeTimeGauges<{ subject: string; n: number }[]>(
      'parked_events',
      () => boundedQuery<{ subject: string; n: number }>(dataSource, `select subject, count(*)::int as n from parked_events where discarded_at is null group by subject`),
      [
        {
          name: 'connector_parked_events',
          help: 'Events parked and waiting for a person (replay or discard through /api/v1/parked-events), by event type',
          labelNames: ['event_type'],
          samples: (rows) => rows.map((row) => ({ labels: { event_type: row.subject }, value: row.n })),
        },
      ],
    ),
  ];
  return { remove: () => readings.forEach((reading) => reading.remove()) };
}
