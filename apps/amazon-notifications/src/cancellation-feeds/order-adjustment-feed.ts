import { CancelReason } from '@connector/contracts';
import { escapeXml } from './order-acknowledgement-feed';

/**
 * The POST_PAYMENT_ADJUSTMENT_DATA feed (OrderAdjustment messages) that cancels some units of an
 * order's items before they ship: Amazon's acknowledgement feed cancels whole items or orders only,
 * units go as AdjustedItem with QuantityCancelled. Amazon takes only NoInventory or BuyerCanceled
 * as the AdjustmentReason of a unit cancellation. Its processing report reads like the
 * acknowledgement feed's (parseProcessingReport, outcomesFromReport).
 */

export const ORDER_ADJUSTMENT_FEED_TYPE = 'POST_PAYMENT_ADJUSTMENT_DATA';

export interface UnitCancellationMessage {
  /** Unique within the feed, 1 and up. */
  messageId: number;
  amazonOrderId: string;
  /** The seller's reason; BuyerCanceled stays, anything else becomes NoInventory (the only other one Amazon takes). */
  reason: string | null | undefined;
  items: { orderItemId: string; quantity: number }[];
}

export function adjustmentReasonOf(reason: string | null | undefined): CancelReason.NoInventory | CancelReason.BuyerCanceled {
  return reason === CancelReason.BuyerCanceled ? CancelReason.BuyerCanceled : CancelReason.NoInventory;
}

/** One OrderAdjustment envelope for the seller `merchantIdentifier`, a Message per order. */
export function buildOrderAdjustmentFeed(merchantIdentifier: string, messages: UnitCancellationMessage[]): string {
  if (messages.length === 0) throw new Error('an order adjustment feed needs at least one message');
  const ids = new Set<number>();
  for (const message of messages) {
    if (!Number.isSafeInteger(message.messageId) || message.messageId < 1) throw new Error(`MessageID must be a positive integer, got ${message.messageId}`);
    if (ids.has(message.messageId)) throw new Error(`MessageID ${message.messageId} is used twice`);
    ids.add(message.messageId);
    if (message.items.length === 0) throw new Error(`order ${message.amazonOrderId}: a unit cancellation names at least one item`);
  }
  const body = messages
    .map((message) => {
      const reason = adjustmentReasonOf(message.reason);
      // The same item named twice is one AdjustedItem with the units added up.
      const units = new Map<string, number>();
      for (const item of message.items) {
        if (!Number.isSafeInteger(item.quantity) || item.quantity < 1) throw new Error(`order ${message.amazonOrderId}: QuantityCancelled must be a positive integer, got ${item.quantity}`);
        units.set(item.orderItemId, (units.get(item.orderItemId) ?? 0) + item.quantity);
      }
      const items = [...units]
        .map(
          ([code, quantity]) => `
      <AdjustedItem>
        <AmazonOrderItemCode>${escapeXml(code)}</AmazonOrderItemCode>
        <AdjustmentReason>${reason}</AdjustmentReason>
        <QuantityCancelled>${quantity}</QuantityCancelled>
      </AdjustedItem>`,
        )
        .join('');
      return `
  <Message>
    <MessageID>${message.messageId}</MessageID>
    <OrderAdjustment>
      <AmazonOrderID>${escapeXml(message.amazonOrderId)}</AmazonOrderID>${items}
    </OrderAdjustment>
  </Message>`;
    })
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<AmazonEnvelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="amzn-envelope.xsd">
  <Header>
    <DocumentVersion>1.01</DocumentVersion>
    <MerchantIdentifier>${escapeXml(merchantIdentifier)}</MerchantIdentifier>
  </Header>
  <MessageType>OrderAdjustment</MessageType>${body}
</AmazonEnvelope>
`;
}
