import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { PeriodicWorker } from '@connector/workers';
import { randomBytes } from 'node:crypto';
import { OrderLifecycleService } from '../control/order-lifecycle.service';
import { OrderStore } from '../store/order.store';
import { SandboxClock } from '../store/sandbox-clock';
import { divideCents, fromCents, toCents } from '@connector/money';
import type { Money } from '../store/order.types';
import { elements, escapeXml, text } from './feed-xml';
import { applyPackages } from '../orders/shipment-confirmation.service';
import { ListingPatch, ListingStore } from '../listings/listing.store';

/** Scaled milliseconds a feed waits in the queue, and until it is done. */
const IN_QUEUE_MS = 1000;
const DONE_AFTER_MS = 3000;

export interface FeedDocument {
  feedDocumentId: string;
  sellerId: string;
  contentType: string;
  content?: Buffer;
  createdTime: string;
}

export interface FeedMessage {
  messageId: string;
  amazonOrderId?: string;
  statusCode?: string;
  items?: { amazonOrderItemCode?: string; cancelReason?: string; quantity?: string }[];
  /** OrderAdjustment's AdjustedItem elements (POST_PAYMENT_ADJUSTMENT_DATA). */
  adjustedItems?: { amazonOrderItemCode?: string; adjustmentReason?: string; quantityCancelled?: string }[];
}

export interface FeedResult {
  messageId: string;
  resultCode: 'Error' | 'Warning';
  resultMessageCode: number;
  description: string;
  amazonOrderId?: string;
}

export interface FeedRecord {
  feedId: string;
  sellerId: string;
  feedType: string;
  marketplaceIds: string[];
  inputFeedDocumentId: string;
  createdTime: string;
  createdScaledMs: number;
  processingStatus: 'IN_QUEUE' | 'IN_PROGRESS' | 'DONE' | 'FATAL' | 'CANCELLED';
  processingStartTime?: string;
  processingEndTime?: string;
  resultFeedDocumentId?: string;
  messages: FeedMessage[];
  results: FeedResult[];
  summary?: { processed: number; successful: number; withError: number; withWarning: number };
}

/**
 * Feeds 2021-06-30: documents (uploaded to the sandbox's own "presigned" URL), feeds that move
 * IN_QUEUE → IN_PROGRESS → DONE on the scaled clock, and their XML processing reports.
 * POST_ORDER_ACKNOWLEDGEMENT_DATA with StatusCode Failure cancels orders (or items);
 * POST_PAYMENT_ADJUSTMENT_DATA with QuantityCancelled cancels some units of an item (Amazon's way to
 * cancel part of an order's quantity: the acknowledgement feed cancels whole items only);
 * POST_ORDER_FULFILLMENT_DATA is accepted and reported, but does not ship (use confirmShipment).
 */
@Injectable()
export class FeedService implements OnModuleInit, OnModuleDestroy {
  private readonly documents = new Map<string, FeedDocument>();
  private readonly feeds = new Map<string, FeedRecord>();
  private feedSeq = 0;
  private readonly logger = new Logger('FeedService');
  // Feeds finish on their own, also when nobody polls getFeed.
  private readonly processing = new PeriodicWorker({
    name: 'processing feeds',
    pass: async () => this.processDue(),
    everyMs: 50,
    keepsProcessAlive: false,
    onError: (message) => this.logger.error(message),
  });

  constructor(
    private readonly clock: SandboxClock,
    private readonly orders: OrderStore,
    private readonly lifecycle: OrderLifecycleService,
    private readonly listings: ListingStore,
  ) {}

  onModuleInit(): void {
    this.processing.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.processing.stop();
  }

  reset(): void {
    this.documents.clear();
    this.feeds.clear();
  }

  createDocument(sellerId: string, contentType: string): FeedDocument {
    const doc: FeedDocument = { feedDocumentId: `amzn1.tortuga.4.sbx.${randomBytes(12).toString('hex')}`, sellerId, contentType, createdTime: this.clock.now().toISOString() };
    this.documents.set(doc.feedDocumentId, doc);
    return doc;
  }

  getDocument(feedDocumentId: string): FeedDocument | undefined {
    return this.documents.get(feedDocumentId);
  }

  upload(feedDocumentId: string, content: Buffer): boolean {
    const doc = this.documents.get(feedDocumentId);
    if (!doc) return false;
    doc.content = content;
    return true;
  }

  createFeed(sellerId: string, feedType: string, marketplaceIds: string[], inputFeedDocumentId: string): FeedRecord {
    const now = this.clock.now().toISOString();
    const feed: FeedRecord = {
      feedId: String(50_000_000_000 + ++this.feedSeq * 1_013),
      sellerId,
      feedType,
      marketplaceIds,
      inputFeedDocumentId,
      createdTime: now,
      createdScaledMs: this.clock.elapsedScaledMs(),
      processingStatus: 'IN_QUEUE',
      messages: [],
      results: [],
    };
    this.feeds.set(feed.feedId, feed);
    return feed;
  }

  getFeed(sellerId: string, feedId: string): FeedRecord | undefined {
    this.processDue();
    const feed = this.feeds.get(feedId);
    return feed && feed.sellerId === sellerId ? feed : undefined;
  }

  list(sellerId?: string): FeedRecord[] {
    this.processDue();
    return [...this.feeds.values()].filter((f) => !sellerId || f.sellerId === sellerId);
  }

  /** Moves feeds along the scaled clock; processing happens once, when a feed becomes DONE. */
  processDue(): void {
    const nowScaled = this.clock.elapsedScaledMs();
    for (const feed of this.feeds.values()) {
      const age = nowScaled - feed.createdScaledMs;
      if (feed.processingStatus === 'IN_QUEUE' && age >= IN_QUEUE_MS) {
        feed.processingStatus = 'IN_PROGRESS';
        feed.processingStartTime = this.clock.now().toISOString();
      }
      if (feed.processingStatus === 'IN_PROGRESS' && age >= DONE_AFTER_MS) this.process(feed);
    }
  }

  private process(feed: FeedRecord): void {
    const content = this.documents.get(feed.inputFeedDocumentId)?.content?.toString('utf8');
    feed.processingEndTime = this.clock.now().toISOString();
    if (feed.feedType === 'JSON_LISTINGS_FEED') return this.processListings(feed, content);
    if (content === undefined || !/<AmazonEnvelope[\s>]/.test(content)) {
      feed.processingStatus = 'FATAL';
      feed.results = [{ messageId: '0', resultCode: 'Error', resultMessageCode: 5001, description: content === undefined ? 'The feed document was never uploaded.' : 'XML parsing error: no AmazonEnvelope element.' }];
      feed.summary = { processed: 0, successful: 0, withError: 1, withWarning: 0 };
      feed.resultFeedDocumentId = this.storeReport(feed);
      return;
    }
    const messages = elements(content, 'Message');
    feed.messages = messages.map((m) => ({
      messageId: text(m, 'MessageID') ?? '',
      amazonOrderId: text(m, 'AmazonOrderID'),
      statusCode: text(m, 'StatusCode'),
      items: elements(m, 'Item').map((i) => ({ amazonOrderItemCode: text(i, 'AmazonOrderItemCode'), cancelReason: text(i, 'CancelReason'), quantity: text(i, 'Quantity') })),
      adjustedItems: elements(m, 'AdjustedItem').map((i) => ({ amazonOrderItemCode: text(i, 'AmazonOrderItemCode'), adjustmentReason: text(i, 'AdjustmentReason'), quantityCancelled: text(i, 'QuantityCancelled') })),
    }));
    for (const message of feed.messages) {
      const result =
        feed.feedType === 'POST_ORDER_ACKNOWLEDGEMENT_DATA'
          ? this.acknowledge(feed.sellerId, message)
          : feed.feedType === 'POST_PAYMENT_ADJUSTMENT_DATA'
            ? this.cancelQuantities(feed.sellerId, message)
            : feed.feedType === 'POST_ORDER_FULFILLMENT_DATA'
              ? this.checkOrderExists(feed.sellerId, message)
              : undefined;
      if (result) feed.results.push(result);
    }
    const withError = new Set(feed.results.filter((r) => r.resultCode === 'Error').map((r) => r.messageId)).size;
    const withWarning = new Set(feed.results.filter((r) => r.resultCode === 'Warning').map((r) => r.messageId)).size;
    feed.summary = { processed: messages.length, successful: messages.length - withError, withError, withWarning };
    feed.processingStatus = 'DONE';
    feed.resultFeedDocumentId = this.storeReport(feed);
  }

  private error(message: FeedMessage, description: string, code = 18028): FeedResult {
    return { messageId: message.messageId, resultCode: 'Error', resultMessageCode: code, description, amazonOrderId: message.amazonOrderId };
  }

  private checkOrderExists(sellerId: string, message: FeedMessage): FeedResult | undefined {
    if (!message.amazonOrderId || !this.orders.hasForSeller(sellerId, message.amazonOrderId)) return this.error(message, `Order ${message.amazonOrderId ?? '(missing AmazonOrderID)'} was not found.`, 25);
    return undefined;
  }

  /** One OrderAcknowledgement: Success acknowledges, Failure cancels (the listed items, or all). */
  private acknowledge(sellerId: string, message: FeedMessage): FeedResult | undefined {
    const missing = this.checkOrderExists(sellerId, message);
    if (missing) return missing;
    const order = this.orders.editForSeller(sellerId, message.amazonOrderId!)!.order;
    if (message.statusCode === 'Success') return undefined;
    if (message.statusCode !== 'Failure') return this.error(message, `StatusCode must be Success or Failure, got "${message.statusCode ?? ''}".`, 8001);
    const status = order.fulfillment?.fulfillmentStatus;
    if (order.fulfillment?.fulfilledBy === 'AMAZON') return this.error(message, `Order ${order.orderId} is fulfilled by Amazon and cannot be cancelled by the seller.`, 18257);
    if (status === 'CANCELLED') return { messageId: message.messageId, resultCode: 'Warning', resultMessageCode: 18258, description: `Order ${order.orderId} was already cancelled.`, amazonOrderId: order.orderId };
    if (status === 'SHIPPED' || status === 'PARTIALLY_SHIPPED') return this.error(message, `Order ${order.orderId} is ${status === 'SHIPPED' ? 'Shipped' : 'PartiallyShipped'} and can no longer be cancelled.`, 18256);
    const items = message.items ?? [];
    for (const item of items) {
      if (!order.orderItems.some((oi) => oi.orderItemId === item.amazonOrderItemCode)) return this.error(message, `Order item ${item.amazonOrderItemCode ?? '(missing)'} does not belong to order ${order.orderId}.`, 18029);
      if (!item.cancelReason) return this.error(message, `CancelReason is required to cancel order item ${item.amazonOrderItemCode}.`, 18030);
    }
    const reasons = new Map(items.map((i) => [i.amazonOrderItemCode!, i.cancelReason!]));
    const cancelAll = items.length === 0 || order.orderItems.every((oi) => reasons.has(oi.orderItemId));
    if (cancelAll) {
      this.lifecycle.move(order.orderId, 'CANCELLED', 'MERCHANT', items[0]?.cancelReason ?? 'GeneralAdjustment');
      for (const oi of order.orderItems) {
        const reason = reasons.get(oi.orderItemId);
        if (reason) oi.cancellation = { cancellationExecution: { cancelledBy: 'MERCHANT', cancelReason: reason } };
      }
    } else {
      for (const oi of order.orderItems) {
        const reason = reasons.get(oi.orderItemId);
        if (reason) oi.cancellation = { cancellationExecution: { cancelledBy: 'MERCHANT', cancelReason: reason } };
      }
      order.lastUpdatedTime = this.clock.now().toISOString();
    }
    return undefined;
  }

  /**
   * One OrderAdjustment whose AdjustedItems carry QuantityCancelled: those units are cancelled
   * before shipping (reason NoInventory or BuyerCanceled, as Amazon requires), at most the units of
   * each item not shipped yet (a partly shipped order's rest can be cancelled). The item keeps the
   * units left and its proceeds shrink in proportion, each amount rounded once and every total the
   * sum of its parts (the item's proceeds, the order's total), so Amazon's figures still add up to
   * the cent; an item left with none is cancelled, and an order left with none is; a partly shipped
   * order whose rest is all cancelled is shipped. Checked whole before anything changes.
   */
  private cancelQuantities(sellerId: string, message: FeedMessage): FeedResult | undefined {
    const missing = this.checkOrderExists(sellerId, message);
    if (missing) return missing;
    const order = this.orders.editForSeller(sellerId, message.amazonOrderId!)!.order;
    const status = order.fulfillment?.fulfillmentStatus;
    if (order.fulfillment?.fulfilledBy === 'AMAZON') return this.error(message, `Order ${order.orderId} is fulfilled by Amazon and cannot be adjusted by the seller.`, 18257);
    if (status === 'CANCELLED') return this.error(message, `Order ${order.orderId} is cancelled.`, 18258);
    if (status === 'SHIPPED') return this.error(message, `Order ${order.orderId} is Shipped: units can no longer be cancelled.`, 18256);
    const adjusted = message.adjustedItems ?? [];
    if (adjusted.length === 0) return this.error(message, `OrderAdjustment for ${order.orderId} has no AdjustedItem.`, 8001);
    const cancelled = new Map<string, { quantity: number; reason: string }>();
    for (const item of adjusted) {
      const orderItem = order.orderItems.find((oi) => oi.orderItemId === item.amazonOrderItemCode);
      if (!orderItem) return this.error(message, `Order item ${item.amazonOrderItemCode ?? '(missing)'} does not belong to order ${order.orderId}.`, 18029);
      if (item.adjustmentReason !== 'NoInventory' && item.adjustmentReason !== 'BuyerCanceled')
        return this.error(message, `AdjustmentReason must be NoInventory or BuyerCanceled to cancel units of order item ${orderItem.orderItemId}, got "${item.adjustmentReason ?? ''}".`, 18030);
      const quantity = /^\d+$/.test(item.quantityCancelled ?? '') ? Number(item.quantityCancelled) : NaN;
      const already = cancelled.get(orderItem.orderItemId)?.quantity ?? 0;
      const unshipped = orderItem.quantityOrdered - (orderItem.fulfillment?.quantityFulfilled ?? 0);
      if (!Number.isSafeInteger(quantity) || quantity < 1 || already + quantity > unshipped)
        return this.error(message, `QuantityCancelled for order item ${orderItem.orderItemId} must be 1 to ${unshipped - already} (units not shipped), got "${item.quantityCancelled ?? ''}".`, 18031);
      cancelled.set(orderItem.orderItemId, { quantity: already + quantity, reason: item.adjustmentReason });
    }
    let grandTotalCut = 0n;
    for (const orderItem of order.orderItems) {
      const cut = cancelled.get(orderItem.orderItemId);
      if (!cut) continue;
      const before = orderItem.quantityOrdered;
      const left = before - cut.quantity;
      const scale = (money: Money | undefined) => {
        if (money) money.amount = fromCents(divideCents(toCents(money.amount) * BigInt(left), before));
      };
      const proceeds = orderItem.proceeds;
      if (proceeds) {
        const breakdowns = proceeds.breakdowns ?? [];
        // The proceeds total is the charges less discounts, with TAX in it only where tax comes on top.
        const sumOf = (withTax: boolean) => breakdowns.filter((b) => withTax || b.type !== 'TAX').reduce((sum, b) => sum + toCents(b.subtotal?.amount ?? '0'), 0n);
        const taxOnTop = proceeds.proceedsTotal !== undefined && toCents(proceeds.proceedsTotal.amount) === sumOf(true) && sumOf(true) !== sumOf(false);
        const was = sumOf(taxOnTop);
        for (const breakdown of breakdowns) {
          const details = breakdown.detailedBreakdowns ?? [];
          if (details.length === 0) {
            scale(breakdown.subtotal);
            continue;
          }
          details.forEach((detail) => scale(detail.value));
          if (breakdown.subtotal) breakdown.subtotal.amount = fromCents(details.reduce((sum, d) => sum + toCents(d.value?.amount ?? '0'), 0n));
        }
        const itemCut = was - sumOf(taxOnTop);
        if (proceeds.proceedsTotal) proceeds.proceedsTotal.amount = fromCents(toCents(proceeds.proceedsTotal.amount) - itemCut);
        grandTotalCut += itemCut;
      }
      orderItem.quantityOrdered = left;
      const fulfilled = orderItem.fulfillment?.quantityFulfilled ?? 0;
      if (orderItem.fulfillment) orderItem.fulfillment.quantityUnfulfilled = left - fulfilled;
      if (left === 0) orderItem.cancellation = { cancellationExecution: { cancelledBy: 'MERCHANT', cancelReason: cut.reason } };
    }
    const grandTotal = order.proceeds?.grandTotal;
    if (grandTotal) grandTotal.amount = fromCents(toCents(grandTotal.amount) - grandTotalCut);
    if (order.orderItems.every((oi) => oi.quantityOrdered === 0)) this.lifecycle.move(order.orderId, 'CANCELLED', 'MERCHANT', [...cancelled.values()][0].reason);
    else {
      // A partly shipped order whose rest is cancelled is shipped.
      if (status === 'PARTIALLY_SHIPPED') applyPackages(order);
      order.lastUpdatedTime = this.clock.now().toISOString();
    }
    return undefined;
  }

  /**
   * JSON_LISTINGS_FEED (listings feed schema v2): each PATCH message is checked and applied as
   * patchListingsItem would, in each of the feed's marketplaces; the report is Amazon's JSON
   * processing report v2 (header, issues per message with its SKU, summary). A document that is
   * not such a feed is FATAL with one issue and no messageId, as Amazon reports a format error.
   */
  private processListings(feed: FeedRecord, content: string | undefined): void {
    const issues: Record<string, unknown>[] = [];
    let parsed: { header?: { sellerId?: unknown; version?: unknown }; messages?: unknown } | undefined;
    try {
      parsed = content === undefined ? undefined : JSON.parse(content);
    } catch {
      parsed = undefined;
    }
    const messages = parsed?.messages;
    if (!parsed || parsed.header?.version !== '2.0' || parsed.header?.sellerId !== feed.sellerId || !Array.isArray(messages) || messages.length === 0 || messages.length > 10_000) {
      feed.processingStatus = 'FATAL';
      const message = content === undefined ? 'The feed document was never uploaded.' : 'The feed is not a valid JSON listings feed (v2): header.sellerId must be the seller, header.version "2.0", messages 1 to 10000.';
      feed.summary = { processed: 0, successful: 0, withError: 1, withWarning: 0 };
      feed.resultFeedDocumentId = this.storeJsonReport(feed, [{ code: '4000004', severity: 'ERROR', message }], { errors: 1, warnings: 0, messagesProcessed: 0, messagesAccepted: 0, messagesInvalid: 0 });
      return;
    }
    let accepted = 0;
    for (const raw of messages as Record<string, unknown>[]) {
      const messageId = raw?.messageId;
      const sku = typeof raw?.sku === 'string' ? raw.sku : undefined;
      const fail = (code: string, message: string, attributeName?: string) =>
        issues.push({ messageId, ...(sku ? { sku } : {}), code, severity: 'ERROR', message, ...(attributeName ? { attributeName } : {}) });
      const before = issues.length;
      if (!Number.isInteger(messageId) || (messageId as number) < 1) fail('4000005', 'messageId must be a whole number of 1 or more.');
      else if (!sku) fail('4000005', 'sku is required.');
      else if (raw.operationType !== 'PATCH') fail('4000005', `operationType ${String(raw.operationType)} is not supported here; use PATCH.`);
      else {
        const malformed = this.listings.malformed(raw.productType, raw.patches);
        if (malformed) fail('4000005', malformed);
        else
          for (const marketplaceId of feed.marketplaceIds) {
            const submission = this.listings.patch(feed.sellerId, marketplaceId, sku, raw.patches as ListingPatch[], 'JSON_LISTINGS_FEED', this.clock.now());
            for (const issue of submission.issues) fail(issue.code, issue.message, issue.attributeNames?.[0]);
          }
      }
      if (issues.length === before) accepted++;
    }
    feed.summary = { processed: messages.length, successful: accepted, withError: messages.length - accepted, withWarning: 0 };
    feed.processingStatus = 'DONE';
    feed.resultFeedDocumentId = this.storeJsonReport(feed, issues, {
      errors: issues.length,
      warnings: 0,
      messagesProcessed: messages.length,
      messagesAccepted: accepted,
      messagesInvalid: messages.length - accepted,
    });
  }

  private storeJsonReport(feed: FeedRecord, issues: Record<string, unknown>[], summary: Record<string, number>): string {
    const doc = this.createDocument(feed.sellerId, 'application/json; charset=UTF-8');
    doc.content = Buffer.from(JSON.stringify({ header: { sellerId: feed.sellerId, version: '2.0', feedId: feed.feedId }, issues, summary }), 'utf8');
    return doc.feedDocumentId;
  }

  private storeReport(feed: FeedRecord): string {
    const s = feed.summary!;
    const results = feed.results
      .map(
        (r) => `
      <Result>
        <MessageID>${escapeXml(r.messageId)}</MessageID>
        <ResultCode>${r.resultCode}</ResultCode>
        <ResultMessageCode>${r.resultMessageCode}</ResultMessageCode>
        <ResultDescription>${escapeXml(r.description)}</ResultDescription>${r.amazonOrderId ? `
        <AdditionalInfo>
          <AmazonOrderID>${escapeXml(r.amazonOrderId)}</AmazonOrderID>
        </AdditionalInfo>` : ''}
      </Result>`,
      )
      .join('');
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<AmazonEnvelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="amzn-envelope.xsd">
  <Header>
    <DocumentVersion>1.02</DocumentVersion>
    <MerchantIdentifier>${escapeXml(feed.sellerId)}</MerchantIdentifier>
  </Header>
  <MessageType>ProcessingReport</MessageType>
  <Message>
    <MessageID>1</MessageID>
    <ProcessingReport>
      <DocumentTransactionID>${feed.feedId}</DocumentTransactionID>
      <StatusCode>Complete</StatusCode>
      <ProcessingSummary>
        <MessagesProcessed>${s.processed}</MessagesProcessed>
        <MessagesSuccessful>${s.successful}</MessagesSuccessful>
        <MessagesWithError>${s.withError}</MessagesWithError>
        <MessagesWithWarning>${s.withWarning}</MessagesWithWarning>
      </ProcessingSummary>${results}
    </ProcessingReport>
  </Message>
</AmazonEnvelope>
`;
    const doc = this.createDocument(feed.sellerId, 'text/xml; charset=UTF-8');
    doc.content = Buffer.from(xml, 'utf8');
    return doc.feedDocumentId;
  }
}
