import { Injectable } from '@nestjs/common';
import { RetentionTask } from '@connector/platform';
import { DataSource } from 'typeorm';

/**
 * The buyer's words this service keeps: gift messages and reasons for asking to cancel of orders
 * shipped or cancelled before the cutoff (on the order and its lines), and the Amazon data of quarantined orders first seen
 * before it (already without buyer and address; items can still carry a gift message). A
 * quarantined order is fetched from Amazon again on every run, so its copy is not needed.
 */
@Injectable()
export class OrderPersonalDataRetention implements RetentionTask {
  readonly what = 'gift messages, buyers\' cancellation reasons and quarantined order data';

  constructor(private readonly dataSource: DataSource) {}

  async forget(cutoff: Date): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const [, lines] = await manager.query(
        `update sales_order_lines l set gift_message = null, buyer_cancel_reason = null
           from sales_orders o
          where l.order_id = o.id and (l.gift_message is not null or l.buyer_cancel_reason is not null) and o.status in ('shipped', 'canceled') and o.updated_at < $1`,
        [cutoff],
      );
      const [, orders] = await manager.query(
        `update sales_orders set gift_message = null, buyer_cancel_reason = null
          where (gift_message is not null or buyer_cancel_reason is not null) and status in ('shipped', 'canceled') and updated_at < $1`,
        [cutoff],
      );
      const [, quarantined] = await manager.query(`update quarantined_orders set payload = null where payload is not null and first_seen_at < $1`, [cutoff]);
      return Number(lines) + Number(orders) + Number(quarantined);
    });
  }
}
