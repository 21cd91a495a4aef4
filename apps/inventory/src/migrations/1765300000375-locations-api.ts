import { Logger } from '@nestjs/common';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Warehouses through the API: a location can be archived (kept for the stock moves that name
 * it; not while a ready delivery ships from it), a supply source id belongs to one live
 * warehouse; a delivery keeps the warehouse it was validated from; a carrier mapping may be
 * for one account.
 */
export class LocationsApi1765300000375 implements MigrationInterface {
  name = 'LocationsApi1765300000375';
  private readonly logger = new Logger(LocationsApi1765300000375.name);

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table locations add column archived_at timestamptz(3)`);
    // Amazon's supply source names one warehouse: two live ones with the same id would confirm
    // from the wrong one. Ids set twice by hand before stay with the oldest warehouse; the others
    // lose theirs (said in the log) for the seller to set the right one through the API.
    const cleared: { id: string; name: string; supply_source_id: string; kept_by: string }[] = await q.query(
      `with holders as (
         select id, supply_source_id, first_value(id) over (partition by supply_source_id order by created_at, id) as kept_by
           from locations where supply_source_id is not null
       ), cleared as (
         update locations l set supply_source_id = null
           from holders h
          where h.id = l.id and h.kept_by <> l.id
         returning l.id, l.name, h.supply_source_id, h.kept_by
       )
       select * from cleared order by supply_source_id, id`,
    );
    for (const c of cleared) {
      this.logger.warn(`location ${c.id} "${c.name}" had supply source id ${c.supply_source_id}, which the older location ${c.kept_by} keeps: cleared; set its own with PATCH /api/v1/locations/${c.id}`);
    }
    await q.query(`create unique index locations_supply_source_id on locations (supply_source_id) where supply_source_id is not null and archived_at is null`);
    // Archiving asks whether a ready delivery still ships from the location.
    await q.query(`create index stock_moves_ready_from on stock_moves (from_location_id) where state = 'ready'`);
    // What the confirmation of the package said it shipped from, kept as it was then.
    await q.query(`alter table deliveries add column ship_from jsonb`);

    await q.query(`alter table carrier_mappings add column id uuid`);
    await q.query(`update carrier_mappings set id = gen_random_uuid()`);
    await q.query(`alter table carrier_mappings alter column id set not null`);
    await q.query(`alter table carrier_mappings drop constraint carrier_mappings_pkey`);
    await q.query(`alter table carrier_mappings add primary key (id)`);
    await q.query(`alter table carrier_mappings add column account_id uuid`);
    // One global mapping per name, and one per account and name.
    await q.query(`create unique index carrier_mappings_account_name on carrier_mappings (coalesce(account_id, '00000000-0000-0000-0000-000000000000'::uuid), name_key)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`delete from carrier_mappings where account_id is not null`);
    await q.query(`drop index carrier_mappings_account_name`);
    await q.query(`alter table carrier_mappings drop column account_id`);
    await q.query(`alter table carrier_mappings drop constraint carrier_mappings_pkey`);
    await q.query(`alter table carrier_mappings drop column id`);
    await q.query(`alter table carrier_mappings add primary key (name_key)`);
    await q.query(`alter table deliveries drop column ship_from`);
    await q.query(`drop index stock_moves_ready_from`);
    await q.query(`drop index locations_supply_source_id`);
    await q.query(`alter table locations drop column archived_at`);
  }
}
