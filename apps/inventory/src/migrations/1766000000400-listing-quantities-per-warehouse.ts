import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stock to Amazon per ship-from warehouse. An offer's quantity is now its account's warehouse's
 * (per marketplace with an assignment of its own, `marketplace_quantities`), so what decides the
 * warehouse notes the products too, in its own transaction: a ship-from assignment made, changed
 * or removed notes every product the account has an offer of; a warehouse archived (or brought
 * back) notes every product that moved through it (its stock stops counting).
 *
 * Cost: the stock_moves trigger noted a product on every update of a move, whatever changed
 * (a delivery's reference, a done_at, ...). Now only a change of what the quantity is made of
 * (state, quantity, product, locations) notes it. The publisher reads only the moves into and
 * out of stock locations, by two partial indexes that hold what it sums (index-only scans).
 */
export class ListingQuantitiesPerWarehouse1766000000400 implements MigrationInterface {
  name = 'ListingQuantitiesPerWarehouse1766000000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table listing_quantities add column marketplace_quantities jsonb not null default '{}'`);

    await q.query(`drop trigger stock_moves_available_change on stock_moves`);
    await q.query(`create trigger stock_moves_available_change after insert or delete on stock_moves for each row execute function note_available_change()`);
    await q.query(`
      create trigger stock_moves_available_update after update of state, quantity, product_id, from_location_id, to_location_id on stock_moves for each row
        when (old.state is distinct from new.state or old.quantity is distinct from new.quantity or old.product_id is distinct from new.product_id
              or old.from_location_id is distinct from new.from_location_id or old.to_location_id is distinct from new.to_location_id)
        execute function note_available_change()`);
    await q.query(`create index stock_moves_product_in on stock_moves (product_id, to_location_id) include (quantity) where state = 'done'`);
    await q.query(`create index stock_moves_product_out on stock_moves (product_id, from_location_id) include (quantity) where state in ('done', 'ready')`);

    await q.query(`
      create function note_ship_from_change() returns trigger language plpgsql set search_path from current as $$
      begin
        if tg_op <> 'DELETE' then
          insert into available_changes (product_id) select distinct product_id from offers where account_id = new.account_id;
        end if;
        if tg_op = 'DELETE' or (tg_op = 'UPDATE' and old.account_id <> new.account_id) then
          insert into available_changes (product_id) select distinct product_id from offers where account_id = old.account_id;
        end if;
        return null;
      end $$`);
    await q.query(`create trigger ship_from_available_change after insert or update or delete on ship_from_assignments for each row execute function note_ship_from_change()`);

    // Rare (a seller archives a warehouse): a scan of the moves is acceptable there.
    await q.query(`
      create function note_location_archived() returns trigger language plpgsql set search_path from current as $$
      begin
        insert into available_changes (product_id)
          select distinct product_id from stock_moves where to_location_id = new.id or from_location_id = new.id;
        return null;
      end $$`);
    await q.query(`
      create trigger locations_available_change after update of archived_at on locations for each row
        when (new.kind = 'stock' and old.archived_at is distinct from new.archived_at)
        execute function note_location_archived()`);

    // Every offer announced is worked out again: an account with assignments now gets its warehouses' quantities.
    await q.query(`insert into available_changes (product_id) select distinct product_id from listing_quantities`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop trigger locations_available_change on locations`);
    await q.query(`drop function note_location_archived()`);
    await q.query(`drop trigger ship_from_available_change on ship_from_assignments`);
    await q.query(`drop function note_ship_from_change()`);
    await q.query(`drop index stock_moves_product_out`);
    await q.query(`drop index stock_moves_product_in`);
    await q.query(`drop trigger stock_moves_available_update on stock_moves`);
    await q.query(`drop trigger stock_moves_available_change on stock_moves`);
    await q.query(`create trigger stock_moves_available_change after insert or update or delete on stock_moves for each row execute function note_available_change()`);
    await q.query(`alter table listing_quantities drop column marketplace_quantities`);
  }
}
