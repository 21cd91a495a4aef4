import { Injectable } from '@nestjs/common';
import { RetentionTask } from '@connector/platform';
import { DataSource } from 'typeorm';

/**
 * Gift messages of deliveries shipped (by their ship date) or cancelled (by their creation,
 * the only time a cancelled one records) before the cutoff.
 */
@Injectable()
export class DeliveryPersonalDataRetention implements RetentionTask {
  readonly what = 'gift messages of deliveries';

  constructor(private readonly dataSource: DataSource) {}

  async forget(cutoff: Date): Promise<number> {
    const [, changed] = await this.dataSource.query(
      `update deliveries set gift_message = null
        where gift_message is not null
          and ((state = 'done' and coalesce(ship_date, created_at) < $1) or (state = 'canceled' and created_at < $1))`,
      [cutoff],
    );
    return Number(changed);
  }
}
