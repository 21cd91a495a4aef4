import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which fulfilment channels each offer (account, SKU) was seen under: `FBM`, `FBA` or both, learned
 * from the orders that name it, or set through PUT /api/v1/offers. Stock to Amazon sends a
 * merchant quantity only for offers seen FBM and never FBA: a DEFAULT quantity sent for an FBA
 * SKU can switch its listing to merchant fulfilled.
 *
 * Backfill from what inventory already holds (moves carry the product, not the SKU), erring on
 * the side of not sending: FBA for every offer of a product the account sold through its FBA
 * location; FBM only for an offer that is its product's only offer on the account and whose
 * product left in one of the account's FBM deliveries. Everything else stays unknown (not sent)
 * until its next order names it.
 */
export class OfferFulfillmentChannels1765900000390 implements MigrationInterface {
  name = 'OfferFulfillmentChannels1765900000390';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table offers add column fulfillment_channels text[] not null default '{}'`);
    await q.query(`
      update offers o set fulfillment_channels = array['FBA']
       where exists (select 1 from stock_moves m join locations l on l.id = m.from_location_id
                      where m.product_id = o.product_id and m.order_id is not null and l.kind = 'fba' and l.account_id = o.account_id)`);
    await q.query(`
      update offers o set fulfillment_channels = fulfillment_channels || array['FBM']
       where exists (select 1 from stock_moves m join deliveries d on d.id = m.delivery_id
                      where m.product_id = o.product_id and m.reason = 'fbm_sale' and d.account_id = o.account_id)
         and not exists (select 1 from offers other where other.account_id = o.account_id and other.product_id = o.product_id and other.id <> o.id)`);
    // A channel learned or set changes what the offer may be told: the publisher looks again.
    await q.query(`drop trigger offers_available_change on offers`);
    await q.query(`create trigger offers_available_change after insert or update of product_id, fulfillment_channels on offers for each row execute function note_offer_change()`);
    await q.query(`alter table listing_quantities add column skipped_reason text`);
    // Every offer already announced is looked at again: those not known FBM now go as skipped.
    await q.query(`insert into available_changes (product_id) select distinct product_id from listing_quantities`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table listing_quantities drop column skipped_reason`);
    await q.query(`drop trigger offers_available_change on offers`);
    await q.query(`create trigger offers_available_change after insert or update of product_id on offers for each row execute function note_offer_change()`);
    await q.query(`alter table offers drop column fulfillment_channels`);
  }
}
