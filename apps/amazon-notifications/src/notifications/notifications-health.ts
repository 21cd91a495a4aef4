import { Injectable, OnModuleInit } from '@nestjs/common';
import { HealthIndicators, HealthReport } from '@connector/platform';
import { DataSource } from 'typeorm';

/**
 * What the notifications say in the service's health: how many wait, how many an outage of
 * Amazon keeps from it and since when, how many failed (they need a person: retry them, one or
 * in bulk). Healthy all the same: an outage of Amazon is waited out, and restarting this
 * service would not end it.
 */
export async function notificationsHealth(dataSource: DataSource): Promise<HealthReport> {
  const [row]: { pending: string; in_outage: string; since: Date | null; failed: string }[] = await dataSource.query(
    `select count(*) filter (where state = 'pending') as pending,
            count(*) filter (where state = 'pending' and retrying_since is not null) as in_outage,
            min(retrying_since) filter (where state = 'pending') as since,
            count(*) filter (where state = 'failed') as failed
       from notifications where state in ('pending', 'failed')`,
  );
  const outage = Number(row.in_outage) ? `, ${row.in_outage} kept from Amazon by an outage since ${new Date(row.since!).toISOString()}` : '';
  return { healthy: true, detail: `${row.pending} pending${outage}, ${row.failed} failed` };
}

@Injectable()
export class NotificationsHealth implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly indicators: HealthIndicators,
  ) {}

  onModuleInit(): void {
    this.indicators.register('notifications', () => notificationsHealth(this.dataSource));
  }
}
