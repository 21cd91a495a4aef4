import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * Parked events keep their payload (gift messages, for one) for an operator to look at; past
 * the retention period they go, as every other copy of buyers' data does. (By then the stream
 * no longer holds the event either: its age is capped by the same period.)
 */
@Injectable()
export class ParkedEventsRetention {
  readonly what = 'parked events';

  constructor(private readonly dataSource: DataSource) {}

  async forget(cutoff: Date): Promise<number> {
    const [, deleted] = await this.dataSource.query(`delete from parked_events where parked_at < $1`, [cutoff]);
    return Number(deleted ?? 0);
  }
}
