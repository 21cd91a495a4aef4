import { Injectable } from '@nestjs/common';
import {
  GET_ORDER,
  GET_PARTNER,
  LIST_DELIVERIES,
  LIST_NOTIFICATIONS,
  ListDeliveriesRequest,
  ListNotificationsRequest,
} from '@connector/contracts';
import { ServiceClient } from '@connector/platform';
import { settlePart } from '../common/parts';
import { OrderDetailsView, OrderTimelineView, UNAVAILABLE } from './order-details.views';
import { orderTimeline } from './order-timeline';

/** Deadline for the parts: a silent service must not hold the whole answer for long. */
const PART_TIMEOUT_MS = 3000;
const PART_PAGE = 100;

/**
 * GET /api/orders/:id: the sales order from order-ingestion, with its deliveries (inventory),
 * its Amazon notifications (amazon-notifications) and its contact (partner-resolution),
 * fetched in parallel. Only the order itself is required; a missing part is null and a part
 * whose service fails is "unavailable".
 */
@Injectable()
export class OrderDetailsService {
  constructor(private readonly services: ServiceClient) {}

  async get(id: string): Promise<OrderDetailsView> {
    const deliveriesQuery: ListDeliveriesRequest = { orderId: id, limit: PART_PAGE };
    const notificationsQuery: ListNotificationsRequest = { orderId: id, limit: PART_PAGE };
    const deliveries = this.part(this.services.request(LIST_DELIVERIES, deliveriesQuery, PART_TIMEOUT_MS));
    const notifications = this.part(
      this.services.request(LIST_NOTIFICATIONS, notificationsQuery, PART_TIMEOUT_MS),
    );
    // The order decides the answer (404 passes through); the parts are already on their way.
    const order = await this.services.request(GET_ORDER, { id });
    const contact = order.contactId
      ? this.part(this.services.request(GET_PARTNER, { id: order.contactId }, PART_TIMEOUT_MS))
      : Promise.resolve(null);
    const [contactView, deliveryPage, notificationPage] = await Promise.all([contact, deliveries, notifications]);

    const deliveryList = deliveryPage === null || deliveryPage === UNAVAILABLE ? deliveryPage : (deliveryPage.items ?? []);
    const notificationList =
      notificationPage === null || notificationPage === UNAVAILABLE ? notificationPage : (notificationPage.items ?? []);
    return {
      ...order,
      contact: contactView,
      deliveryAddress:
        contactView === null || contactView === UNAVAILABLE
          ? contactView
          : (contactView.deliveryAddresses?.find((address) => address.id === order.deliveryAddressId) ?? null),
      delivery:
        deliveryList === null || deliveryList === UNAVAILABLE
          ? deliveryList
          : (deliveryList.find((delivery) => !delivery.backorderOfId) ?? deliveryList[0] ?? null),
      deliveries: deliveryList ?? [],
      notifications: notificationList ?? [],
    };
  }

  /** The order's life from what the services keep (see orderTimeline); a part whose service fails leaves its events out and is named. */
  async timeline(id: string): Promise<OrderTimelineView> {
    // Not the contact: the buyer's personal data has no place in it.
    const deliveriesQuery: ListDeliveriesRequest = { orderId: id, limit: PART_PAGE };
    const notificationsQuery: ListNotificationsRequest = { orderId: id, limit: PART_PAGE };
    const deliveries = this.part(this.services.request(LIST_DELIVERIES, deliveriesQuery, PART_TIMEOUT_MS));
    const notifications = this.part(this.services.request(LIST_NOTIFICATIONS, notificationsQuery, PART_TIMEOUT_MS));
    const order = await this.services.request(GET_ORDER, { id });
    const [deliveryPage, notificationPage] = await Promise.all([deliveries, notifications]);
    const incomplete: OrderTimelineView['incomplete'] = [];
    if (deliveryPage === UNAVAILABLE) incomplete.push('deliveries');
    if (notificationPage === UNAVAILABLE) incomplete.push('notifications');
    return {
      orderId: order.id,
      events: orderTimeline(
        order,
        deliveryPage === UNAVAILABLE ? null : (deliveryPage?.items ?? []),
        notificationPage === UNAVAILABLE ? null : (notificationPage?.items ?? []),
      ),
      incomplete,
    };
  }

  private part<T>(pending: Promise<T>): Promise<T | null | typeof UNAVAILABLE> {
    return settlePart(pending);
  }
}
