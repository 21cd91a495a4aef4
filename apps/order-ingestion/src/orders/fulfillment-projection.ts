import { Injectable } from '@nestjs/common';
import {
  DELIVERY_CANCELED,
  DELIVERY_CREATED,
  DELIVERY_VALIDATED,
  DeliveryCanceledEvent,
  DeliveryCreatedEvent,
  DeliveryValidatedEvent,
  NOTIFICATION_FAILED,
  NOTIFICATION_SENT,
  NotificationOutcomeEvent,
} from '@connector/contracts';
import { EventBatchContext, EventContext, OnEvent, OnEvents } from '@connector/messaging';
import { In, IsNull } from 'typeorm';
import { SalesOrder } from './sales-order.entity';

/** Keeps what other services announce: delivery and notification state of orders. (SKU → product: SkuProductCache.) */
@Injectable()
export class FulfillmentProjection {
  /** One per FBM order as it is synced, so they come in runs: one statement for a run. */
  @OnEvents(DELIVERY_CREATED)
  async deliveriesCreated(events: DeliveryCreatedEvent[], { manager }: EventBatchContext) {
    await manager.update(SalesOrder, { id: In(events.map((event) => event.orderId)), deliveryState: IsNull() }, { deliveryState: 'ready' });
  }

  @OnEvent(DELIVERY_VALIDATED)
  async deliveryValidated(event: DeliveryValidatedEvent, { manager }: EventContext) {
    await manager.update(SalesOrder, { id: event.orderId }, { deliveryState: event.fullyShipped ? 'done' : 'partially_done' });
  }

  @OnEvent(DELIVERY_CANCELED)
  async deliveryCanceled(event: DeliveryCanceledEvent, { manager }: EventContext) {
    await manager.update(SalesOrder, { id: event.orderId }, { deliveryState: 'canceled' });
  }

  @OnEvent(NOTIFICATION_SENT)
  async notificationSent(event: NotificationOutcomeEvent, { manager }: EventContext) {
    await manager.update(SalesOrder, { id: event.orderId }, { amazonNotificationState: `${event.kind}:sent`, amazonNotificationError: null });
  }

  @OnEvent(NOTIFICATION_FAILED)
  async notificationFailed(event: NotificationOutcomeEvent, { manager }: EventContext) {
    await manager.update(SalesOrder, { id: event.orderId }, { amazonNotificationState: `${event.kind}:failed`, amazonNotificationError: event.error });
  }
}
