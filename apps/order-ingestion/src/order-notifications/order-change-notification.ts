/** What the connector reads of Amazon's ORDER_CHANGE notification (OrderChangeNotification, payload version 1.0). */
export interface OrderChange {
  notificationId: string;
  sellerId: string;
  amazonOrderId: string;
  marketplaceId?: string;
  eventTime: Date | null;
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
    Payload?: { OrderChangeNotification?: { SellerId?: unknown; AmazonOrderId?: unknown; Summary?: { MarketplaceId?: unknown } } };
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
  const eventTime = typeof envelope.EventTime === 'string' && !Number.isNaN(Date.parse(envelope.EventTime)) ? new Date(envelope.EventTime) : null;
  const marketplaceId = typeof change.Summary?.MarketplaceId === 'string' ? change.Summary.MarketplaceId : undefined;
  return { notificationId, sellerId: change.SellerId, amazonOrderId: change.AmazonOrderId, marketplaceId, eventTime };
}
