/** What the connector reads of Amazon's ORDER_CHANGE notification (OrderChangeNotification, payload version 1.0). */
export interface OrderChange {
  notificationId: string;
  sellerId: string;
  amazonOrderId: string;
  marketplaceId?: string;
  eventTime: Date | null;
  /** When the order changed (OrderChangeTrigger.TimeOfOrderChange, else EventTime): a fetched copy older than this is from before the change. */
  changedAt: Date | null;
  /** Summary.OrderStatus and Summary.FulfillmentType: what the order is after the change. */
  orderStatus?: string;
  fulfillmentType?: string;
}

const AMAZON_ORDER_ID = /^[0-9A-Z]{3}-[0-9]{7}-[0-9]{7}$|^[A-Za-z0-9-]{1,50}$/;

/**
 * Reads the notification envelope: an OrderChange, `other-type` for a notification of another
 * type (the queue may carry others), or why it cannot be read.
 */
export function parseOrderChange(body: string | undefined): OrderChange | 'other-type' | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body ?? '');
  } catch {
    return 'the body is not JSON';
  }
  const envelope = parsed as {
    NotificationType?: unknown;
    EventTime?: unknown;
    Payload?: { OrderChangeNotification?: { SellerId?: unknown; AmazonOrderId?: unknown; OrderChangeTrigger?: { TimeOfOrderChange?: unknown }; Summary?: { MarketplaceId?: unknown; OrderStatus?: unknown; FulfillmentType?: unknown } } };
    NotificationMetadata?: { NotificationId?: unknown };
  };
  if (!envelope || typeof envelope !== 'object') return 'the body is not a notification';
  if (typeof envelope.NotificationType !== 'string') return 'NotificationType is missing';
  if (envelope.NotificationType !== 'ORDER_CHANGE') return 'other-type';
  const change = envelope.Payload?.OrderChangeNotification;
  const notificationId = envelope.NotificationMetadata?.NotificationId;
  if (typeof notificationId !== 'string' || !notificationId || notificationId.length > 200) return 'NotificationMetadata.NotificationId is missing';
  if (typeof change?.SellerId !== 'string' || !/^[A-Z0-9]{1,40}$/.test(change.SellerId)) return 'Payload.OrderChangeNotification.SellerId is missing or not a seller id';
  if (typeof change.AmazonOrderId !== 'string' || !AMAZON_ORDER_ID.test(change.AmazonOrderId)) return 'Payload.OrderChangeNotification.AmazonOrderId is missing or not an order id';
  const eventTime = timeOf(envelope.EventTime);
  const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);
  const marketplaceId = text(change.Summary?.MarketplaceId);
  const changedAt = timeOf(change.OrderChangeTrigger?.TimeOfOrderChange) ?? eventTime;
  return { notificationId, sellerId: change.SellerId, amazonOrderId: change.AmazonOrderId, marketplaceId, eventTime, changedAt, orderStatus: text(change.Summary?.OrderStatus), fulfillmentType: text(change.Summary?.FulfillmentType) };
}

function timeOf(value: unknown): Date | null {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? new Date(value) : null;
}
