import { OrderEvent } from '@connector/contracts';
import { EntityManager } from 'typeorm';

/**
 * Offers learn the fulfilment channels of the orders that name their SKUs (Amazon sells one SKU
 * FBM, FBA or both). Stock to Amazon reads them: a merchant quantity sent for an FBA SKU can
 * switch its listing to merchant fulfilled. Channels are only ever added, whatever order events
 * come in (an order's channel never changes), and only rows that gain one are written.
 */
export async function learnFulfillmentChannels(manager: EntityManager, orders: Pick<OrderEvent, 'accountId' | 'channel' | 'lines'>[]): Promise<void> {
  const seen = new Map<string, { accountId: string; sku: string; channel: string }>();
  for (const order of orders)
    for (const line of order.lines)
      if (line.sku) seen.set(JSON.stringify([order.accountId, line.sku, order.channel]), { accountId: order.accountId, sku: line.sku, channel: order.channel });
  if (seen.size === 0) return;
  const rows = [...seen.values()];
  // Rows locked in id order: two batches naming the same SKUs never deadlock.
  await manager.query(
    `with seen as (
       select account_id, sku, array_agg(distinct channel) as channels
         from unnest($1::uuid[], $2::text[], $3::text[]) as s(account_id, sku, channel)
        group by account_id, sku),
     gaining as (
       select o.id, seen.channels from offers o join seen on seen.account_id = o.account_id and seen.sku = o.sku
        where not o.fulfillment_channels @> seen.channels
        order by o.id for update of o)
     update offers o
        set fulfillment_channels = array(select distinct c from unnest(o.fulfillment_channels || gaining.channels) as c order by c), updated_at = now()
       from gaining where o.id = gaining.id`,
    [rows.map((r) => r.accountId), rows.map((r) => r.sku), rows.map((r) => r.channel)],
  );
}
