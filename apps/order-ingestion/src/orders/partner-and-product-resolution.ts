import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { PartyToResolve, RESOLVE_PARTNERS, RESOLVE_PRODUCTS, RpcErrorBody, SkuToResolve } from '@connector/contracts';
import { contractProblems, ServiceClient, ServiceError } from '@connector/platform';
import { SellerAccount } from '../accounts/seller-account.entity';
import { MappedOrder } from './amazon-order.mapper';
import { lineProductId } from './sales-order-change';
import { salesOrderId } from './sales-order-id';
import { PreparedPage } from './sales-order-page';
import { CLOSED, statusOf } from './sales-order-status';
import { SalesOrder } from './sales-order.entity';
import { SkuProductCache } from './sku-product-cache';

/** An order the other services cannot take, with why: it is quarantined alone. */
export interface RefusedOrder {
  order: MappedOrder;
  reason: string;
}

/**
 * The partners and products of a page of mapped orders: one request to partner-resolution and
 * one to inventory for the whole page. Each order is checked against the requests' contract
 * classes first, so an order they would refuse is set aside before anything is created for
 * its page; should a service still refuse a batch as invalid (400), the batch is split until
 * the orders it refuses are found, and only those are set aside.
 */
@Injectable()
export class PartnerAndProductResolution {
  constructor(
    private readonly services: ServiceClient,
    private readonly skuProducts: SkuProductCache,
  ) {}

  async resolve(
    account: SellerAccount,
    mapped: MappedOrder[],
    existing: Map<string, SalesOrder>,
  ): Promise<Pick<PreparedPage, 'prepared' | 'productIds' | 'learned'> & { refused: RefusedOrder[] }> {
    const orderIds = new Map(mapped.map((order) => [order.amazonOrderId, existing.get(order.amazonOrderId)?.id ?? salesOrderId(account.id, order.amazonOrderId)]));
    const refused: RefusedOrder[] = [];
    const parties = new Map<string, PartyToResolve>();
    const skusOf = new Map<string, SkuToResolve[]>();
    for (const order of mapped) {
      const party = partyOf(account, order, orderIds.get(order.amazonOrderId)!, existing);
      const skus = skusOfOrder(order);
      const problems = [...contractProblems(PartyToResolve, party, 'party'), ...skus.flatMap((sku) => contractProblems(SkuToResolve, sku, `sku ${sku.sku}`))];
      if (problems.length) {
        refused.push({ order, reason: `refused by the contract of ${RESOLVE_PARTNERS.subject} / ${RESOLVE_PRODUCTS.subject}: ${problems.join('; ')}` });
        continue;
      }
      parties.set(order.amazonOrderId, party);
      skusOf.set(order.amazonOrderId, skus);
    }
    let accepted = mapped.filter((order) => parties.has(order.amazonOrderId));

    const skus = new Map<string, SkuToResolve>();
    for (const order of accepted) for (const sku of skusOf.get(order.amazonOrderId)!) if (!skus.has(sku.sku)) skus.set(sku.sku, sku);
    const known = await this.skuProducts.productsOf(account.id, [...skus.keys()]);
    for (const sku of known.keys()) skus.delete(sku);

    const [partners, products] = await Promise.all([
      accepted.length ? this.resolveParties(accepted.map((order) => parties.get(order.amazonOrderId)!)) : Promise.resolve({ resolved: [], refused: [] }),
      skus.size ? this.resolveSkus(account, [...skus.values()]) : Promise.resolve({ resolved: [], refused: [] }),
    ]);
    const refusedParties = new Map(partners.refused.map((r) => [r.item.key, r.reason]));
    const refusedSkus = new Map(products.refused.map((r) => [r.item.sku, r.reason]));
    accepted = accepted.filter((order) => {
      const reason =
        refusedParties.get(order.amazonOrderId) ??
        skusOf.get(order.amazonOrderId)!.map((sku) => refusedSkus.get(sku.sku)).find((r) => r !== undefined);
      if (reason === undefined) return true;
      refused.push({ order, reason });
      return false;
    });

    const partyByKey = new Map(partners.resolved.map((p) => [p.key, p]));
    const productIds = new Map([...known, ...products.resolved.map((o) => [o.sku, o.productId] as const)]);
    const prepared = accepted.map((order) => {
      const party = partyByKey.get(order.amazonOrderId);
      if (!party) throw new Error(`partner-resolution gave no partner for ${order.amazonOrderId}`);
      const { amazonUpdatedAt: _ignored, ...content } = order;
      const hash = createHash('sha1')
        .update(JSON.stringify([content, party.contactId, party.deliveryAddressId, order.lines.map((l) => lineProductId(l, existing.get(order.amazonOrderId), productIds))]))
        .digest('base64');
      return { mapped: order, orderId: orderIds.get(order.amazonOrderId)!, contactId: party.contactId, deliveryAddressId: party.deliveryAddressId, hash };
    });
    return { prepared, productIds, learned: products.resolved, refused };
  }

  private resolveParties(parties: PartyToResolve[]) {
    return splitWhileRefused(parties, async (batch) => (await this.services.request(RESOLVE_PARTNERS, { parties: batch })).parties);
  }

  private resolveSkus(account: SellerAccount, skus: SkuToResolve[]) {
    return splitWhileRefused(skus, async (batch) =>
      (await this.services.request(RESOLVE_PRODUCTS, { accountId: account.id, defaultProductId: account.defaultProductId ?? undefined, skus: batch })).offers,
    );
  }
}

function partyOf(account: SellerAccount, order: MappedOrder, orderId: string, existing: Map<string, SalesOrder>): PartyToResolve {
  return {
    key: order.amazonOrderId,
    accountId: account.id,
    orderReference: order.amazonOrderId,
    buyer: order.party.buyer,
    address: order.party.address,
    orderedAt: order.purchasedAt.toISOString(),
    orderId,
    orderClosed: CLOSED.has(statusOf(order, existing.get(order.amazonOrderId))),
  };
}

function skusOfOrder(order: MappedOrder): SkuToResolve[] {
  const skus = new Map<string, SkuToResolve>();
  for (const line of order.lines) {
    if (line.sku && !skus.has(line.sku)) skus.set(line.sku, { sku: line.sku, title: line.title ?? undefined, asin: line.asin ?? undefined, marketplaceId: order.marketplaceId });
  }
  return [...skus.values()];
}

/** A 400: the service judged the request itself invalid (not that it is away). */
function isRefusal(err: unknown): err is ServiceError {
  return err instanceof ServiceError && err.body.statusCode === 400;
}

function refusalText(body: RpcErrorBody): string {
  const details = Array.isArray(body.details) ? body.details.map((d) => `${d.field}: ${d.errors.join(', ')}`) : [];
  return details.length ? `${body.message} (${details.join('; ')})` : body.message;
}

/**
 * Asks for a batch; when the service refuses it as invalid (400), asks again for each half,
 * down to the single items it refuses. A few refused items among n cost about 2·k·log2(n)
 * requests; other errors fail the whole batch as before.
 */
export async function splitWhileRefused<Item, Answer>(
  items: Item[],
  ask: (batch: Item[]) => Promise<Answer[]>,
): Promise<{ resolved: Answer[]; refused: { item: Item; reason: string }[] }> {
  try {
    return { resolved: await ask(items), refused: [] };
  } catch (err) {
    if (!isRefusal(err)) throw err;
    if (items.length === 1) return { resolved: [], refused: [{ item: items[0], reason: `refused: ${refusalText(err.body)}` }] };
    const middle = Math.ceil(items.length / 2);
    const halves = await Promise.all([splitWhileRefused(items.slice(0, middle), ask), splitWhileRefused(items.slice(middle), ask)]);
    return { resolved: halves.flatMap((h) => h.resolved), refused: halves.flatMap((h) => h.refused) };
  }
}
