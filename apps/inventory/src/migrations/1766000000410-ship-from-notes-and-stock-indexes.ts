import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Fixes to stock per ship-from warehouse (1766000000400):
 * - `offers (product_id)`: the publisher looks up a batch's offers by product; without it each
 *   batch of 500 notes scanned all of `offers` (a re-announce of a catalogue: quadratic).
 * - An assignment updated without a change of account, marketplace or location (a repeated PUT)
 *   notes nothing: it no longer re-announces the account's whole catalogue.
 * - Assignments and new offers of one account are serialised by an advisory lock on the account:
 *   the assignment trigger takes it exclusively, the offers trigger shared (only when an offer is
 *   made or mapped to another product). An offer made while an assignment changes is then noted
 *   after that change is committed (so announced with the new warehouse), or seen by the
 *   assignment's own notes; without it, it could keep the old warehouse's quantity.
 *   ShipFromService takes the lock before it touches the assignment row (no deadlock with a
 *   delivery that holds the row `for share`).
 * - The partial indexes the publisher sums leave FBA sales out (most moves of an FBA seller);
 *   the publisher's query carries the same condition so the planner uses them.
 */
export class ShipFromNotesAndStockIndexes1766000000410 implements MigrationInterface {
  name = 'ShipFromNotesAndStockIndexes1766000000410';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`create index offers_product on offers (product_id)`);

    await q.query(`
      create or replace function note_ship_from_change() returns trigger language plpgsql set search_path from current as $$
      begin
        if tg_op <> 'DELETE' then
          perform pg_advisory_xact_lock(hashtext('ship-from'), hashtext(new.account_id::text));
          insert into available_changes (product_id) select distinct product_id from offers where account_id = new.account_id;
        end if;
        if tg_op = 'DELETE' or (tg_op = 'UPDATE' and old.account_id <> new.account_id) then
          perform pg_advisory_xact_lock(hashtext('ship-from'), hashtext(old.account_id::text));
          insert into available_changes (product_id) select distinct product_id from offers where account_id = old.account_id;
        end if;
        return null;
      end $$`);
    await q.query(`drop trigger ship_from_available_change on ship_from_assignments`);
    await q.query(`create trigger ship_from_available_change after insert or delete on ship_from_assignments for each row execute function note_ship_from_change()`);
    await q.query(`
      create trigger ship_from_available_update after update of account_id, marketplace_id, location_id on ship_from_assignments for each row
        when (old.location_id is distinct from new.location_id or old.marketplace_id is distinct from new.marketplace_id or old.account_id is distinct from new.account_id)
        execute function note_ship_from_change()`);

    await q.query(`
      create or replace function note_offer_change() returns trigger language plpgsql set search_path from current as $$
      begin
        if tg_op = 'INSERT' or old.product_id is distinct from new.product_id then
          perform pg_advisory_xact_lock_shared(hashtext('ship-from'), hashtext(new.account_id::text));
        end if;
        insert into available_changes (product_id) values (new.product_id);
        return null;
      end $$`);

    await q.query(`drop index stock_moves_product_in`);
    await q.query(`drop index stock_moves_product_out`);
    await q.query(`create index stock_moves_product_in on stock_moves (product_id, to_location_id) include (quantity) where state = 'done' and reason not in ('fba_sale', 'fba_sale_reversal')`);
    await q.query(`create index stock_moves_product_out on stock_moves (product_id, from_location_id) include (quantity) where state in ('done', 'ready') and reason not in ('fba_sale', 'fba_sale_reversal')`);

    // An account without assignments is now told the shared Stock location's quantity, no longer every warehouse's.
    await q.query(`insert into available_changes (product_id) select distinct product_id from listing_quantities`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop index stock_moves_product_out`);
    await q.query(`drop index stock_moves_product_in`);
    await q.query(`create index stock_moves_product_in on stock_moves (product_id, to_location_id) include (quantity) where state = 'done'`);
    await q.query(`create index stock_moves_product_out on stock_moves (product_id, from_location_id) include (quantity) where state in ('done', 'ready')`);
    await q.query(`
      create or replace function note_offer_change() returns trigger language plpgsql set search_path from current as $$
      begin
        insert into available_changes (product_id) values (new.product_id);
        return null;
      end $$`);
    await q.query(`drop trigger ship_from_available_update on ship_from_assignments`);
    await q.query(`drop trigger ship_from_available_change on ship_from_assignments`);
    await q.query(`create trigger ship_from_available_change after insert or update or delete on ship_from_assignments for each row execute function note_ship_from_change()`);
    await q.query(`
      create or replace function note_ship_from_change() returns trigger language plpgsql set search_path from current as $$
      begin
        if tg_op <> 'DELETE' then
          insert into available_changes (product_id) select distinct product_id from offers where account_id = new.account_id;
        end if;
        if tg_op = 'DELETE' or (tg_op = 'UPDATE' and old.account_id <> new.account_id) then
          insert into available_changes (product_id) select distinct product_id from offers where account_id = old.account_id;
        end if;
        return null;
      end $$`);
    await q.query(`drop index offers_product`);
    // The older code tells an account without assignments every warehouse together again.
    await q.query(`insert into available_changes (product_id) select distinct product_id from listing_quantities`);
  }
}
