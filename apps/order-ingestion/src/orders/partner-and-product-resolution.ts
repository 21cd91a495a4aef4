import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { RESOLVE_PARTNERS, RESOLVE_PRODUCTS } from '@connector/contracts';
import { ServiceClient } from '@connector/platform';
import { SellerAccount } from '../accounts/seller-account.entity';
import { MappedOrder } from './amazon-order.mapper';
import { salesOrderId } from './sales-order-id';
import { PreparedPage } from './sales-order-page';
import { CLOSED, statusOf } from './sales-order-status';
import { SalesOrder } from './sales-order.entity';
import { SkuProductCache } from './sku-product-cache';

/** The partners and products of a page of mapped orders: one request to partner-resolution and one to inventory for the whole page. */
@Injectable()
export class PartnerAndProductResolution {
  constructor(
    private readonly services: ServiceClient,
    private readonly skuProducts: SkuProductCache,
  ) {}

  async resolve(account: SellerAccount, mapped: MappedOrder[], existing: Map<string, SalesOrder>): Promise<Pick<PreparedPage, 'prepared' | 'productIds' | 'learned'>> {
    const skus = new Map<string, { sku: string; title?: string; asin?: string }>();
    for (const order of mapped) {
      for (const line of order.lines) {
        if (line.sku && !skus.has(line.sku)) skus.set(line.sku, { sku: line.sku, title: line.title ?? undefined, asin: line.asin ?? undefined });
      }
    }
    const known = await this.skuProducts.productsOf(account.id, [...skus.keys()]);
    for (const sku of known.keys()) skus.delete(sku);
    const orderIds = new Map(mapped.map((order) => [order.amazonOrderId, existing.get(order.amazonOrderId)?.id ?? salesOrderId(account.id, order.amazonOrderId)]));
    const [partners, products] = await Promise.all([
      this.services.request(RESOLVE_PARTNERS, {
        parties: mapped.map((order) => ({
          key: order.amazonOrderId,
          accountId: account.id,
          orderReference: order.amazonOrderId,
          buyer: order.party.buyer,
          address: order.party.address,
          orderedAt: order.purchasedAt.toISOString(),
          orderId: orderIds.get(order.amazonOrderId)!,
          orderClosed: CLOSED.has(statusOf(order, existing.get(order.amazonOrderId))),
        })),
      }),
      skus.size
        ? this.services.request(RESOLVE_PRODUCTS, {
            accountId: account.id,
            defaultProductId: account.defaultProductId ?? undefined,
            skus: [...skus.values()],
          })
        : Promise.resolve({ offers: [] }),
    ]);
    const partyByKey = new Map(partners.parties.map((p) => [p.key, p]));
    const productIds = new Map([...known, ...products.offers.map((o) => [o.sku, o.productId] as const)]);
    const prepared = mapped.map((order) => {
      const party = partyByKey.get(order.amazonOrderId);
      if (!party) throw new Error(`partner-resolution gave no partner for ${order.amazonOrderId}`);
      const { amazonUpdatedAt: _ignored, ...content } = order;
      const hash = createHash('sha1')
        .update(JSON.stringify([content, party.contactId, party.deliveryAddressId, order.lines.map((l) => (l.sku ? productIds.get(l.sku) : null))]))
        .digest('base64');
      return { mapped: order, orderId: orderIds.get(order.amazonOrderId)!, contactId: party.contactId, deliveryAddressId: party.deliveryAddressId, hash };
    });
    return { prepared, productIds, learned: products.offers };
  }
}
