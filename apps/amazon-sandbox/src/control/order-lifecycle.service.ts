import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { applyPackages } from '../orders/shipment-confirmation.service';
import { OrderStore } from '../store/order.store';
import { FulfillmentStatus, Order } from '../store/order.types';
import { SandboxClock } from '../store/sandbox-clock';

/** Moves orders through their life as Amazon (or the buyer) would; lastUpdatedTime becomes sandbox now. */
@Injectable()
export class OrderLifecycleService {
  private packageSeq = 1;

  constructor(
    private readonly store: OrderStore,
    private readonly clock: SandboxClock,
  ) {}

  /**
   * The seller ships (some of) an FBM order outside any client: from Seller Central or with Buy
   * Shipping. Amazon records the package, so the items' quantities shipped, the status and
   * lastUpdatedTime change, but no confirmShipment call is made (the shipment log stays as it
   * was). Without items, everything left to ship.
   */
  shipOutside(orderId: string, items?: { orderItemId: string; quantity: number }[], carrier = 'Sandbox Carrier', trackingNumber?: string): Order {
    const stored = this.store.edit(orderId);
    if (!stored) throw new NotFoundException(`Order ${orderId} not found`);
    const order = stored.order;
    const fulfillment = order.fulfillment!;
    if (fulfillment.fulfilledBy !== 'MERCHANT') throw new BadRequestException([`Order ${orderId} is fulfilled by Amazon; only a merchant-fulfilled order is shipped by the seller`]);
    if (fulfillment.fulfillmentStatus !== 'UNSHIPPED' && fulfillment.fulfillmentStatus !== 'PARTIALLY_SHIPPED') {
      throw new BadRequestException([`Order ${orderId} is ${fulfillment.fulfillmentStatus}; only an Unshipped or PartiallyShipped order can be shipped`]);
    }
    const leftOf = (orderItemId: string) => {
      const item = order.orderItems.find((i) => i.orderItemId === orderItemId);
      return item ? item.quantityOrdered - (item.fulfillment?.quantityFulfilled ?? 0) : undefined;
    };
    const errors: string[] = [];
    const packageItems = items
      ? items.map((wanted, index) => {
          const left = leftOf(wanted.orderItemId);
          if (left === undefined) errors.push(`items.${index}.orderItemId: order item ${wanted.orderItemId} is not in order ${orderId}`);
          else if (wanted.quantity > left) errors.push(`items.${index}.quantity: ${wanted.quantity} exceeds the ${left} left to ship of order item ${wanted.orderItemId}`);
          return wanted;
        })
      : order.orderItems.map((item) => ({ orderItemId: item.orderItemId, quantity: leftOf(item.orderItemId)! })).filter((x) => x.quantity > 0);
    if (new Set(packageItems.map((x) => x.orderItemId)).size !== packageItems.length) errors.push('items: an order item is listed twice');
    if (errors.length) throw new BadRequestException(errors);
    if (packageItems.length === 0) throw new BadRequestException([`Order ${orderId} has nothing left to ship`]);
    const now = this.clock.now().toISOString();
    order.packages = [
      ...(order.packages ?? []),
      {
        packageReferenceId: `SELLER-CENTRAL-${this.packageSeq++}`,
        createdTime: now,
        packageStatus: { status: 'SHIPPED' },
        carrier,
        shipTime: now,
        trackingNumber: trackingNumber ?? `SC${Date.now()}${this.packageSeq}`,
        packageItems,
      },
    ];
    applyPackages(order);
    order.lastUpdatedTime = now;
    return order;
  }

  /**
   * The buyer asks to cancel: each item named (all without `orderItemIds`) gets Amazon's
   * cancellation request (requester BUYER, the reason); the order stays as it is, for the seller
   * to decide, and its lastUpdatedTime moves so a sync picks it up. Only while something is left to ship.
   */
  buyerCancelRequest(orderId: string, reason = 'Order created by mistake', orderItemIds?: string[]): Order {
    const order = this.openOrder(orderId, 'asked to be cancelled');
    const unknown = (orderItemIds ?? []).filter((id) => !order.orderItems.some((item) => item.orderItemId === id));
    if (unknown.length) throw new BadRequestException(unknown.map((id) => `orderItemIds: order item ${id} is not in order ${orderId}`));
    for (const item of order.orderItems) {
      if (orderItemIds && !orderItemIds.includes(item.orderItemId)) continue;
      item.cancellation = { ...(item.cancellation ?? {}), cancellationRequest: { requester: 'BUYER', cancelReason: reason } };
    }
    order.lastUpdatedTime = this.clock.now().toISOString();
    return order;
  }

  /** The buyer withdrew the request: no item carries one any more. */
  withdrawBuyerCancelRequest(orderId: string): Order {
    const order = this.openOrder(orderId, 'have a cancellation request withdrawn');
    for (const item of order.orderItems) {
      if (!item.cancellation?.cancellationRequest) continue;
      const { cancellationRequest: _withdrawn, ...rest } = item.cancellation;
      if (Object.keys(rest).length) item.cancellation = rest;
      else delete item.cancellation;
    }
    order.lastUpdatedTime = this.clock.now().toISOString();
    return order;
  }

  private openOrder(orderId: string, what: string): Order {
    const stored = this.store.edit(orderId);
    if (!stored) throw new NotFoundException(`Order ${orderId} not found`);
    const status = stored.order.fulfillment?.fulfillmentStatus;
    if (status === 'SHIPPED' || status === 'CANCELLED') throw new BadRequestException([`Order ${orderId} is ${status}; only an order not yet shipped can ${what}`]);
    return stored.order;
  }

  move(orderId: string, status: FulfillmentStatus, cancelledBy?: string, cancelReason?: string): Order {
    const stored = this.store.edit(orderId);
    if (!stored) throw new NotFoundException(`Order ${orderId} not found`);
    const order = stored.order;
    const fulfillment = order.fulfillment!;
    const now = this.clock.now().toISOString();
    const fbm = fulfillment.fulfilledBy === 'MERCHANT';

    const unship = () => {
      delete order.packages;
      for (const item of order.orderItems) item.fulfillment = { ...(item.fulfillment ?? {}), quantityFulfilled: 0, quantityUnfulfilled: item.quantityOrdered };
    };
    const uncancel = () => order.orderItems.forEach((item) => delete item.cancellation);

    switch (status) {
      case 'CANCELLED': {
        const by = cancelledBy ?? 'BUYER';
        const reason = cancelReason ?? (by === 'BUYER' ? 'BuyerCanceled' : 'NoInventory');
        for (const item of order.orderItems) {
          item.cancellation = { ...(by === 'BUYER' ? { cancellationRequest: { requester: 'BUYER', cancelReason: reason } } : {}), cancellationExecution: { cancelledBy: by, cancelReason: reason } };
        }
        fulfillment.fulfillmentStatus = 'CANCELLED';
        break;
      }
      case 'SHIPPED':
      case 'PARTIALLY_SHIPPED': {
        uncancel();
        if (fbm) {
          // Ship what is left (or one unit of it for a partial shipment) in a new package.
          const left = order.orderItems.map((item) => ({ item, left: item.quantityOrdered - (item.fulfillment?.quantityFulfilled ?? 0) })).filter((x) => x.left > 0);
          const totalLeft = left.reduce((s, x) => s + x.left, 0);
          if (status === 'PARTIALLY_SHIPPED' && totalLeft < 2) throw new BadRequestException(`Order ${orderId} has ${totalLeft} unit(s) left to ship; a partial shipment needs at least 2`);
          const packageItems = status === 'SHIPPED' ? left.map((x) => ({ orderItemId: x.item.orderItemId, quantity: x.left })) : [{ orderItemId: left[0].item.orderItemId, quantity: 1 }];
          if (packageItems.length) {
            order.packages = [
              ...(order.packages ?? []),
              { packageReferenceId: `SANDBOX-${this.packageSeq++}`, createdTime: now, packageStatus: { status: 'SHIPPED' }, carrier: 'Sandbox Carrier', shipTime: now, trackingNumber: `SBX${Date.now()}${this.packageSeq}`, packageItems },
            ];
          }
          applyPackages(order);
        } else {
          const totalUnits = order.orderItems.reduce((s, i) => s + i.quantityOrdered, 0);
          if (status === 'PARTIALLY_SHIPPED' && totalUnits < 2) throw new BadRequestException(`Order ${orderId} has fewer than 2 units; it cannot be partially shipped`);
          let partialLeft = 1;
          for (const item of order.orderItems) {
            const q = status === 'SHIPPED' ? item.quantityOrdered : Math.min(partialLeft, item.quantityOrdered);
            partialLeft -= status === 'SHIPPED' ? 0 : q;
            item.fulfillment = { ...(item.fulfillment ?? {}), quantityFulfilled: q, quantityUnfulfilled: item.quantityOrdered - q };
          }
          fulfillment.fulfillmentStatus = status;
        }
        break;
      }
      default:
        // PENDING, UNSHIPPED, PENDING_AVAILABILITY, UNFULFILLABLE: nothing shipped, nothing cancelled.
        uncancel();
        unship();
        fulfillment.fulfillmentStatus = status;
    }
    order.lastUpdatedTime = now;
    return order;
  }
}
