import { Injectable, Logger } from '@nestjs/common';
import {
  DELIVERY_VALIDATED,
  DeliveryValidatedEvent,
  NotificationKind,
  NotificationState,
  ORDER_CANCELED,
  ORDER_ITEMS_CANCELED,
  OrderCanceledEvent,
  OrderItemsCanceledEvent,
  SalesOrderLineKind,
} from '@connector/contracts';
import { EventContext, OnEvent } from '@connector/messaging';
import { ShipmentConfirmation } from '@connector/sp-api';
import { newRowId } from '@connector/persistence';
import { currentCorrelationId } from '@connector/workers';
import { DueNotifications } from '../notifications/due-notifications';
import { Notification } from '../notifications/notification.entity';

/** Turns domain events into notifications to send: one per (kind, order, delivery), ever. */
@Injectable()
export class NotificationIntake {
  private readonly logger = new Logger(NotificationIntake.name);

  constructor(private readonly due: DueNotifications) {}

  @OnEvent(DELIVERY_VALIDATED)
  async onDeliveryValidated(event: DeliveryValidatedEvent, { manager, afterCommit }: EventContext): Promise<void> {
    const body: ShipmentConfirmation = {
      marketplaceId: event.marketplaceId,
      packageDetail: {
        packageReferenceId: event.packageReferenceId,
        carrierCode: event.carrierCode,
        ...(event.carrierName ? { carrierName: event.carrierName } : {}),
        ...(event.shippingMethod ? { shippingMethod: event.shippingMethod } : {}),
        ...(event.shipFromSupplySourceId ? { shipFromSupplySourceId: event.shipFromSupplySourceId } : {}),
        trackingNumber: event.trackingNumber,
        shipDate: event.shipDate,
        orderItems: event.items.map((item) => ({ orderItemId: item.orderItemId, quantity: item.quantity })),
      },
    };
    afterCommit.add(() => this.due.announce());
    await this.add(manager, {
      kind: NotificationKind.ShipmentConfirmation,
      accountId: event.accountId,
      marketplaceId: event.marketplaceId,
      orderId: event.orderId,
      amazonOrderId: event.amazonOrderId,
      deliveryId: event.deliveryId,
      cancellationId: null,
      payload: body,
      shipFrom: event.shipFrom ?? null,
    });
  }

  /** Only a cancellation by the seller is told to Amazon (FBA ones too); Amazon's own is not. */
  @OnEvent(ORDER_CANCELED)
  async onOrderCanceled(event: OrderCanceledEvent, { manager }: EventContext): Promise<void> {
    if (!event.notifyAmazon || event.canceledBy !== 'seller') return;
    await this.add(manager, {
      kind: NotificationKind.Cancellation,
      accountId: event.accountId,
      marketplaceId: event.marketplaceId,
      orderId: event.orderId,
      amazonOrderId: event.amazonOrderId,
      deliveryId: null,
      cancellationId: null,
      shipFrom: null,
      payload: {
        reason: event.reason,
        items: event.lines.filter((l) => l.kind === SalesOrderLineKind.Product && l.orderItemId).map((l) => ({ orderItemId: l.orderItemId, quantity: l.quantity })),
      },
    });
  }

  /**
   * Some units of an order cancelled by the seller. Whole items of an order nothing of which has
   * shipped go as the acknowledgement feed's item-level cancellation (a `cancellation` naming its
   * items); fewer units, or any units once part of the order shipped (Amazon takes no item-level
   * acknowledgement then), as the adjustment feed's QuantityCancelled (a `unit_cancellation`,
   * which keeps the units left: how Amazon shows it applied, see unit-cancellation-check.ts).
   */
  @OnEvent(ORDER_ITEMS_CANCELED)
  async onOrderItemsCanceled(event: OrderItemsCanceledEvent, { manager }: EventContext): Promise<void> {
    const whole = event.items.filter((item) => item.quantityLeft === 0 && !event.partlyShipped);
    const units = event.items.filter((item) => !whole.includes(item));
    const common = { accountId: event.accountId, marketplaceId: event.marketplaceId, orderId: event.orderId, amazonOrderId: event.amazonOrderId, deliveryId: null, cancellationId: event.cancellationId, shipFrom: null };
    if (whole.length) {
      await this.add(manager, { ...common, kind: NotificationKind.Cancellation, payload: { reason: event.reason, items: whole.map((i) => ({ orderItemId: i.orderItemId, quantity: i.quantity })) } });
    }
    if (units.length) {
      await this.add(manager, { ...common, kind: NotificationKind.UnitCancellation, payload: { reason: event.reason, items: units.map((i) => ({ orderItemId: i.orderItemId, quantity: i.quantity, quantityLeft: i.quantityLeft })) } });
    }
  }

  private async add(
    manager: EventContext['manager'],
    notification: Pick<Notification, 'kind' | 'accountId' | 'marketplaceId' | 'orderId' | 'amazonOrderId' | 'deliveryId' | 'cancellationId' | 'payload' | 'shipFrom'>,
  ) {
    await manager
      .createQueryBuilder()
      .insert()
      .into(Notification)
      .values({ ...notification, id: newRowId(), state: NotificationState.Pending, attempts: 0, nextAttemptAt: new Date(), correlationId: currentCorrelationId() ?? null })
      .orIgnore()
      .execute();
    this.logger.log({
      msg: `${notification.kind} of order ${notification.amazonOrderId} to send to Amazon`,
      accountId: notification.accountId,
      amazonOrderId: notification.amazonOrderId,
    });
  }
}
