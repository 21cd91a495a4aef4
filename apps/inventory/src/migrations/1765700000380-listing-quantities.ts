import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stock to Amazon. Every change of a stock move (made, done, cancelled, its quantity or product
 * changed, removed), and every offer made or remapped, notes its product in available_changes, by a trigger, so it happens in the
 * move's own transaction whatever code path writes the move: a crash after the commit loses
 * nothing. Append-only (no upsert): concurrent transactions writing moves of the same products
 * never wait on, or deadlock over, one another's notes.
 *
 * listing_quantities: per offer (account, SKU), the available quantity last announced and its
 * version (from listing_quantity_versions, taken under the product's lock: a later version is
 * always a newer quantity).
 */
export class ListingQuantities1765700000380 implements MigrationInterface {
  name = 'ListingQuantities1765700000380';

  async up(q: QueryRunner): Promise<void> {
    // The trigger functions below keep the schema's search path (set search_path from current):
    // they run for whoever writes a move, whatever that session's search path is.
    await q.query(`create table available_changes (id bigserial primary key, product_id uuid not null, noted_at timestamptz(3) not null default now())`);
    await q.query(`create sequence listing_quantity_versions`);
    await q.query(`
      create table listing_quantities (
        account_id uuid not null,
        sku text not null,
        product_id uuid not null,
        quantity int not null,
        version bigint not null,
        changed_at timestamptz(3) not null,
        primary key (account_id, sku)
      )`);
    await q.query(`create index stock_moves_product on stock_moves (product_id)`);
    await q.query(`
      create function note_available_change() returns trigger language plpgsql set search_path from current as $$
      begin
        if tg_op <> 'DELETE' then
          insert into available_changes (product_id) values (new.product_id);
        end if;
        if tg_op = 'DELETE' or (tg_op = 'UPDATE' and old.product_id <> new.product_id) then
          insert into available_changes (product_id) values (old.product_id);
        end if;
        return null;
      end $$`);
    await q.query(`create trigger stock_moves_available_change after insert or update or delete on stock_moves for each row execute function note_available_change()`);
    // An offer made or mapped to another product sells that product's quantity from now on.
    await q.query(`
      create function note_offer_change() returns trigger language plpgsql set search_path from current as $$
      begin
        insert into available_changes (product_id) values (new.product_id);
        return null;
      end $$`);
    await q.query(`create trigger offers_available_change after insert or update of product_id on offers for each row execute function note_offer_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop trigger offers_available_change on offers`);
    await q.query(`drop function note_offer_change()`);
    await q.query(`drop trigger stock_moves_available_change on stock_moves`);
    await q.query(`drop function note_available_change()`);
    await q.query(`drop index stock_moves_product`);
    await q.query(`drop table listing_quantities`);
    await q.query(`drop sequence listing_quantity_versions`);
    await q.query(`drop table available_changes`);
  }
}
