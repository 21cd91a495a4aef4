import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Amazon SKUs match products by internal reference, so every product gets one, unique.
 * Products without one get `P-<id>`. Where one reference is on several products (the same SKU
 * on two accounts made two products), the oldest keeps it and the others get ` (<id>)` appended,
 * so the catalogue stays as it was; their offers are on the review list (they created a product),
 * where a person can remap them to the one product.
 * Offers record how their SKU got its product (the review list shows those that created one).
 */
export class CatalogueMatching1764300000320 implements MigrationInterface {
  name = 'CatalogueMatching1764300000320';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table offers add column marketplace_id text`);
    await q.query(`alter table offers add column matched_by text not null default 'manual'`);
    await q.query(`alter table offers add column created_product boolean not null default false`);
    await q.query(`alter table offers add column reviewed_at timestamptz(3)`);
    await q.query(`alter table offers add column updated_at timestamptz(3) not null default now()`);
    // Before this, a resolved SKU made a product carrying it as reference: its first offer created it.
    await q.query(`
      update offers o set matched_by = 'created', created_product = true
      from products p
      where p.id = o.product_id and p.internal_reference = o.sku
        and o.id = (select first.id from offers first where first.product_id = p.id order by first.created_at, first.id limit 1)`);
    await q.query(`alter table offers add constraint offers_matched_by check (matched_by in ('reference', 'created', 'default', 'manual'))`);
    await q.query(`create index offers_list on offers (created_at, id)`);
    await q.query(`create index offers_to_review on offers (created_at, id) where created_product and reviewed_at is null`);

    await q.query(`update products set internal_reference = 'P-' || id where internal_reference is null or btrim(internal_reference) = ''`);
    await q.query(`update products set internal_reference = btrim(internal_reference) where internal_reference <> btrim(internal_reference)`);
    await q.query(`
      update products p set internal_reference = p.internal_reference || ' (' || p.id || ')'
      from (select id, row_number() over (partition by internal_reference order by created_at, id) as rank from products) ranked
      where ranked.id = p.id and ranked.rank > 1`);
    await q.query(`alter table products alter column internal_reference set not null`);
    await q.query(`alter table products add constraint products_internal_reference unique (internal_reference)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop index offers_to_review`);
    await q.query(`drop index offers_list`);
    await q.query(`alter table offers drop constraint offers_matched_by`);
    for (const column of ['updated_at', 'reviewed_at', 'created_product', 'matched_by', 'marketplace_id']) await q.query(`alter table offers drop column ${column}`);
    await q.query(`alter table products drop constraint products_internal_reference`);
    await q.query(`alter table products alter column internal_reference drop not null`);
  }
}
