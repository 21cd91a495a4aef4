import { Injectable } from '@nestjs/common';
import { RetentionTask } from '@connector/platform';
import { DataSource } from 'typeorm';

/**
 * Gift messages and buyers' reasons for asking to cancel, of deliveries shipped (by their ship date) or cancelled (by their creation,
 * the only time a cancelled one records) before the cutoff.
 */
@Injectable()
export class DeliveryPersonalDataRetention implements RetentionTask {
  readonly what = 'gift messages and buyers\' cancellation reasons of deliveries';

  constructor(private readonly dataSource: DataSource) {}

  async forget(cutoff: Date): Promise<number> {
    const [, changed] = await this.dataSource.query(
      `update deliveries set gift_message = null, buyer_cancel_reason = null
        where (gift_message is not null or buyer_cancel_reason is not null)
          and ((state = 'done' and coalesce(ship_date, created_at) < $1) or (state = 'canceled' and created_at < $1))`,
      [cutoff],
    );
    return Number(changed);
  }
}
