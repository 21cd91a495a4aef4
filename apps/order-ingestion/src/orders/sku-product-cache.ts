import { Injectable } from '@nestjs/common';
import { OFFER_CHANGED, OfferChangedEvent } from '@connector/contracts';
import { EventContext, OnEvent } from '@connector/messaging';
import { DataSource, EntityManager } from 'typeorm';
import { SkuProduct } from './sku-product.entity';

/**
 * What inventory answered for each SKU of an account (sku_products), so a sync of known SKUs
 * does not need inventory to be up. Kept current by `offer.changed`.
 */
@Injectable()
export class SkuProductCache {
  constructor(private readonly dataSource: DataSource) {}

  /** The products of those SKUs that are known. */
  async productsOf(accountId: string, skus: string[]): Promise<Map<string, string>> {
    const known: { sku: string; product_id: string }[] = await this.dataSource.query(
      `select sku, product_id from sku_products where account_id = $1 and sku = any($2::text[])`,
      [accountId, skus],
    );
    return new Map(known.map((row) => [row.sku, row.product_id]));
  }

  /** Inventory's answers, in the caller's transaction; one already known stays as it is. */
  async remember(manager: EntityManager, accountId: string, learned: { sku: string; productId: string }[]): Promise<void> {
    if (learned.length === 0) return;
    await manager
      .createQueryBuilder()
      .insert()
      .into(SkuProduct)
      .values(learned.map((o) => ({ accountId, sku: o.sku, productId: o.productId })))
      .orIgnore()
      .execute();
  }

  @OnEvent(OFFER_CHANGED)
  async offerChanged(event: OfferChangedEvent, { manager }: EventContext) {
    // Unmapped: forgotten, so the next order of the SKU asks inventory again.
    if (!event.productId) await manager.delete(SkuProduct, { accountId: event.accountId, sku: event.sku });
    else await manager.upsert(SkuProduct, { accountId: event.accountId, sku: event.sku, productId: event.productId }, ['accountId', 'sku']);
  }
}
