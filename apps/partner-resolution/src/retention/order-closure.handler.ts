import { Injectable } from '@nestjs/common';
import { ORDER_CANCELED, OrderCanceledEvent } from '@connector/contracts';
import { EventContext, OnEvent } from '@connector/messaging';

/**
 * Closes an order cancelled by hand. Which partners an order uses, and whether Amazon has it
 * shipped or cancelled, comes with each page's resolve request (PartnersService.resolve).
 */
@Injectable()
export class OrderClosureHandler {
  @OnEvent(ORDER_CANCELED)
  async onOrderCanceled(event: OrderCanceledEvent, { manager }: EventContext): Promise<void> {
    await manager.query(`update order_partners set closed_at = coalesce(closed_at, now()) where order_id = $1`, [event.orderId]);
  }
}
