import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * What inventory answered for each SKU, kept here so a sync of known SKUs does not need
 * inventory to be up (its events then wait in JetStream). Kept current by `offer.changed`.
 */
@Entity({ name: 'sku_products' })
export class SkuProduct {
  @PrimaryColumn('uuid') accountId: string;
  @PrimaryColumn('text') sku: string;
  @Column('uuid') productId: string;
}
