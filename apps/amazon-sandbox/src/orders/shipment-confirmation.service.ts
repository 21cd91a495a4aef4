import { Injectable } from '@nestjs/common';
import { AMAZON_CARRIER_CODES, OTHER_CARRIER_CODE } from '@connector/contracts';
import { AmazonApiError, AmazonError } from '../sp-api/amazon-error';
import { isIsoDate } from '../sp-api/params';
import { OrderStore } from '../store/order.store';
import { Order, OrderPackage } from '../store/order.types';
import { SandboxClock } from '../store/sandbox-clock';
import { ShipmentLog } from './shipment-log';

interface ConfirmItem {
  orderItemId: string;
  quantity: number;
  transparencyCodes?: string[];
}

/** Amazon refuses a carrierCode not on its list (a carrier it does not list goes as Other with carrierName). */
const KNOWN_CARRIER_CODES: ReadonlySet<string> = new Set(AMAZON_CARRIER_CODES);

const isNonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0;

/** Recomputes item quantities and the order status from its packages. */
export function applyPackages(order: Order): void {
  const shipped = new Map<string, number>();
  for (const pkg of order.packages ?? []) for (const pi of pkg.packageItems ?? []) shipped.set(pi.orderItemId, (shipped.get(pi.orderItemId) ?? 0) + pi.quantity);
  let any = false;
  let all = true;
  for (const item of order.orderItems) {
    const q = Math.min(shipped.get(item.orderItemId) ?? 0, item.quantityOrdered);
    item.fulfillment = { ...(item.fulfillment ?? {}), quantityFulfilled: q, quantityUnfulfilled: item.quantityOrdered - q };
    if (q > 0) any = true;
    // An item the seller cancelled (item-level) is not waited for.
    if (q < item.quantityOrdered && !item.cancellation?.cancellationExecution) all = false;
  }
  order.fulfillment!.fulfillmentStatus = all ? 'SHIPPED' : any ? 'PARTIALLY_SHIPPED' : 'UNSHIPPED';
}

/**
 * confirmShipment (Orders v0). Validates as Amazon does and records the package on the
 * order. The same packageReferenceId again updates that package (a retried confirmation
 * never ships twice); that update is also accepted once the order is SHIPPED.
 */
@Injectable()
export class ShipmentConfirmationService {
  constructor(
    private readonly store: OrderStore,
    private readonly clock: SandboxClock,
    private readonly log: ShipmentLog,
  ) {}

  confirm(sellerId: string, orderId: string, body: unknown): void {
    const stored = this.store.editForSeller(sellerId, orderId);
    if (!stored) throw AmazonApiError.notFound(`Order ${orderId} not found.`, orderId);
    const order = stored.order;
    const errors: AmazonError[] = [];
    const invalid = (message: string, details: string) => errors.push({ code: 'InvalidInput', message, details });

    const req = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    if (!isNonEmptyString(req.marketplaceId)) invalid('marketplaceId is required.', 'marketplaceId');
    else if (req.marketplaceId !== order.salesChannel.marketplaceId) invalid(`marketplaceId ${req.marketplaceId} does not match the order's marketplace.`, 'marketplaceId');
    const pd = req.packageDetail as Record<string, unknown> | undefined;
    if (!pd || typeof pd !== 'object' || Array.isArray(pd)) {
      invalid('packageDetail is required.', 'packageDetail');
      throw new AmazonApiError(400, errors);
    }
    if (!isNonEmptyString(pd.packageReferenceId)) invalid('packageDetail.packageReferenceId is required.', 'packageDetail.packageReferenceId');
    if (!isNonEmptyString(pd.carrierCode)) invalid('packageDetail.carrierCode is required.', 'packageDetail.carrierCode');
    else if (!KNOWN_CARRIER_CODES.has(pd.carrierCode)) invalid(`packageDetail.carrierCode ${pd.carrierCode} is not a valid CarrierCode; use "Other" with carrierName.`, 'packageDetail.carrierCode');
    else if (pd.carrierCode === OTHER_CARRIER_CODE && !isNonEmptyString(pd.carrierName)) invalid('packageDetail.carrierName is required when carrierCode is "Other".', 'packageDetail.carrierName');
    if (pd.carrierName !== undefined && typeof pd.carrierName !== 'string') invalid('packageDetail.carrierName must be a string.', 'packageDetail.carrierName');
    if (pd.shippingMethod !== undefined && typeof pd.shippingMethod !== 'string') invalid('packageDetail.shippingMethod must be a string.', 'packageDetail.shippingMethod');
    if (pd.shipFromSupplySourceId !== undefined && typeof pd.shipFromSupplySourceId !== 'string') invalid('packageDetail.shipFromSupplySourceId must be a string.', 'packageDetail.shipFromSupplySourceId');
    if (!isNonEmptyString(pd.trackingNumber)) invalid('packageDetail.trackingNumber is required.', 'packageDetail.trackingNumber');
    if (pd.shipDate === undefined) invalid('packageDetail.shipDate is required.', 'packageDetail.shipDate');
    else if (!isIsoDate(pd.shipDate)) invalid('packageDetail.shipDate must be an ISO 8601 date-time.', 'packageDetail.shipDate');

    const packageReferenceId = typeof pd.packageReferenceId === 'string' ? pd.packageReferenceId : '';
    const existing = order.packages?.find((p) => p.packageReferenceId === packageReferenceId);
    const items: ConfirmItem[] = [];
    if (!Array.isArray(pd.orderItems) || pd.orderItems.length === 0) {
      invalid('packageDetail.orderItems must list at least one item.', 'packageDetail.orderItems');
    } else {
      const seen = new Set<string>();
      pd.orderItems.forEach((raw: unknown, i: number) => {
        const it = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
        const path = `packageDetail.orderItems[${i}]`;
        if (!isNonEmptyString(it.orderItemId)) return void invalid(`${path}.orderItemId is required.`, `${path}.orderItemId`);
        const item = order.orderItems.find((oi) => oi.orderItemId === it.orderItemId);
        if (!item) return void invalid(`Order item ${it.orderItemId} does not belong to order ${orderId}.`, `${path}.orderItemId`);
        if (seen.has(it.orderItemId)) return void invalid(`Order item ${it.orderItemId} is listed twice.`, `${path}.orderItemId`);
        seen.add(it.orderItemId);
        if (typeof it.quantity !== 'number' || !Number.isInteger(it.quantity) || it.quantity <= 0) return void invalid(`${path}.quantity must be a positive integer.`, `${path}.quantity`);
        if (it.transparencyCodes !== undefined && (!Array.isArray(it.transparencyCodes) || it.transparencyCodes.some((c) => typeof c !== 'string'))) {
          return void invalid(`${path}.transparencyCodes must be a list of strings.`, `${path}.transparencyCodes`);
        }
        // What is left to ship, not counting this package's own earlier confirmation.
        const shippedElsewhere = (order.packages ?? [])
          .filter((p) => p !== existing)
          .flatMap((p) => p.packageItems ?? [])
          .filter((pi) => pi.orderItemId === it.orderItemId)
          .reduce((s, pi) => s + pi.quantity, 0);
        const left = item.quantityOrdered - shippedElsewhere;
        if (it.quantity > left) return void invalid(`${path}.quantity ${it.quantity} exceeds the unshipped quantity ${left} of order item ${it.orderItemId}.`, `${path}.quantity`);
        items.push({ orderItemId: it.orderItemId, quantity: it.quantity, ...(it.transparencyCodes ? { transparencyCodes: it.transparencyCodes as string[] } : {}) });
      });
    }

    if (order.fulfillment?.fulfilledBy !== 'MERCHANT') {
      invalid(`Order ${orderId} is fulfilled by Amazon; only merchant-fulfilled orders can be confirmed.`, 'orderId');
    } else {
      const status = order.fulfillment.fulfillmentStatus;
      const allowed = existing ? ['UNSHIPPED', 'PARTIALLY_SHIPPED', 'SHIPPED'] : ['UNSHIPPED', 'PARTIALLY_SHIPPED'];
      if (!allowed.includes(status)) invalid(`Order ${orderId} is ${status}; a shipment can only be confirmed for Unshipped or PartiallyShipped orders.`, 'orderId');
    }
    if (errors.length) throw new AmazonApiError(400, errors);

    const now = this.clock.now();
    const pkg: OrderPackage = {
      packageReferenceId,
      createdTime: existing?.createdTime ?? now.toISOString(),
      packageStatus: { status: 'SHIPPED' },
      carrier: isNonEmptyString(pd.carrierName) ? pd.carrierName : String(pd.carrierCode),
      shipTime: new Date(Date.parse(String(pd.shipDate))).toISOString(),
      ...(isNonEmptyString(pd.shippingMethod) ? { shippingService: pd.shippingMethod } : {}),
      trackingNumber: String(pd.trackingNumber),
      packageItems: items,
    };
    order.packages = existing ? order.packages!.map((p) => (p === existing ? pkg : p)) : [...(order.packages ?? []), pkg];
    applyPackages(order);
    order.lastUpdatedTime = now.toISOString();
    this.log.record(sellerId, orderId, String(req.marketplaceId), pd, now);
  }
}
