import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { FulfillmentChannel, LISTING_QUANTITY_CHANGED } from '@connector/contracts';
import { Outbox, OutboxEvent } from '@connector/messaging';
import { PeriodicWorker, returnedRows } from '@connector/workers';
import { DataSource, EntityManager } from 'typeorm';

/** Product notes taken per transaction. */
const BATCH = 500;
/** How soon a stock change is announced: the notes are committed already, so this is latency only. */
const POLL_MS = 500;

/**
 * Turns the products noted in available_changes (by the stock_moves trigger, in the moves' own
 * transactions) into listing.quantity-changed events, one per offer whose available quantity
 * differs from the one last announced. Notes taken, quantities recorded and events put in the
 * outbox commit together: a crash anywhere redoes the batch, nothing is lost.
 *
 * Available: done moves into the seller's stock locations, less moves out of them done or
 * still ready (held by FBM deliveries not yet shipped). Only products that ever moved through a
 * stock location: an FBA-only product has nothing of the seller's own to announce.
 *
 * Only offers known FBM and never seen FBA are to be sent (a DEFAULT quantity sent for an FBA
 * SKU can switch its listing to merchant fulfilled): the others are announced with the reason
 * they are skipped, so the seller sees why nothing reaches Amazon.
 */
@Injectable()
export class ListingQuantityPublisher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ListingQuantityPublisher.name);
  private worker?: PeriodicWorker;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  onApplicationBootstrap(): void {
    this.worker = new PeriodicWorker({ name: 'announcing listing quantities', pass: () => this.publishDue(), everyMs: POLL_MS, onError: (message) => this.logger.warn(message) });
    this.worker.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.stop();
  }

  /** Every note there is, batch by batch. Answers the number of events announced. */
  async publishDue(): Promise<number> {
    let announced = 0;
    for (;;) {
      const { notes, events } = await this.dataSource.transaction((manager) => this.publishBatch(manager));
      announced += events;
      if (notes < BATCH) return announced;
    }
  }

  private async publishBatch(manager: EntityManager): Promise<{ notes: number; events: number }> {
    const taken = returnedRows(
      await manager.query(`delete from available_changes where id in (select id from available_changes order by id limit $1 for update skip locked) returning product_id`, [BATCH]),
    ) as { product_id: string }[];
    const productIds = [...new Set(taken.map((t) => t.product_id))].sort();
    if (productIds.length === 0) return { notes: 0, events: 0 };
    // One announcer per product at a time, in id order (no deadlock between replicas): the
    // quantity read after the lock is the newest committed, and its version is taken after it.
    for (const productId of productIds) await manager.query(`select pg_advisory_xact_lock(hashtext($1))`, [`available:${productId}`]);
    const available: { product_id: string; quantity: number; own_stock: boolean }[] = await manager.query(
      `select p.id as product_id,
              greatest(0, coalesce(sum(case when m.state = 'done' and lt.kind = 'stock' then m.quantity else 0 end), 0)
                        - coalesce(sum(case when m.state in ('done', 'ready') and lf.kind = 'stock' then m.quantity else 0 end), 0))::int as quantity,
              bool_or(lt.kind = 'stock' or lf.kind = 'stock') is true as own_stock
         from unnest($1::uuid[]) as p(id)
         left join stock_moves m on m.product_id = p.id and m.state in ('done', 'ready')
         left join locations lt on lt.id = m.to_location_id
         left join locations lf on lf.id = m.from_location_id
        group by p.id`,
      [productIds],
    );
    const quantityOf = new Map(available.filter((a) => a.own_stock).map((a) => [a.product_id, a.quantity]));
    if (quantityOf.size === 0) return { notes: taken.length, events: 0 };
    const offers: { account_id: string; sku: string; product_id: string; channels: string[]; last: number | null; last_skipped: string | null }[] = await manager.query(
      `select o.account_id, o.sku, o.product_id, o.fulfillment_channels as channels, lq.quantity as last, lq.skipped_reason as last_skipped
         from offers o left join listing_quantities lq on lq.account_id = o.account_id and lq.sku = o.sku
        where o.product_id = any($1::uuid[])
        order by o.account_id, o.sku`,
      [[...quantityOf.keys()]],
    );
    const changed = offers
      .map((o) => ({ ...o, skippedReason: skippedReason(o.channels) }))
      .filter((o) => o.last !== quantityOf.get(o.product_id) || o.last_skipped !== o.skippedReason);
    if (changed.length === 0) return { notes: taken.length, events: 0 };
    const versions: { version: string }[] = await manager.query(`select nextval('listing_quantity_versions') as version from generate_series(1, $1)`, [changed.length]);
    const changedAt = new Date();
    const rows = changed.map((o, i) => ({
      accountId: o.account_id,
      sku: o.sku,
      productId: o.product_id,
      quantity: quantityOf.get(o.product_id)!,
      version: Number(versions[i].version),
      skippedReason: o.skippedReason,
    }));
    await manager.query(
      `insert into listing_quantities (account_id, sku, product_id, quantity, version, changed_at, skipped_reason)
       select * from unnest($1::uuid[], $2::text[], $3::uuid[], $4::int[], $5::bigint[], array_fill($6::timestamptz, array[cardinality($1::uuid[])]), $7::text[])
       on conflict (account_id, sku) do update set product_id = excluded.product_id, quantity = excluded.quantity, version = excluded.version, changed_at = excluded.changed_at,
          skipped_reason = excluded.skipped_reason`,
      [rows.map((r) => r.accountId), rows.map((r) => r.sku), rows.map((r) => r.productId), rows.map((r) => r.quantity), rows.map((r) => r.version), changedAt, rows.map((r) => r.skippedReason)],
    );
    await this.outbox.addMany(
      manager,
      rows.map((r) =>
        OutboxEvent.of(LISTING_QUANTITY_CHANGED, {
          accountId: r.accountId,
          sku: r.sku,
          productId: r.productId,
          availableQuantity: r.quantity,
          version: r.version,
          changedAt: changedAt.toISOString(),
          skippedReason: r.skippedReason,
        }),
      ),
    );
    return { notes: taken.length, events: rows.length };
  }
}

/** Why an offer is not told a merchant quantity, from the channels its orders came under; null: it is sent. */
export function skippedReason(channels: string[]): string | null {
  const fba = channels.includes(FulfillmentChannel.FBA);
  if (fba && channels.includes(FulfillmentChannel.FBM)) return 'SKU is also fulfilled by Amazon';
  if (fba) return 'SKU is fulfilled by Amazon';
  if (!channels.includes(FulfillmentChannel.FBM)) return 'no FBM order of this SKU seen yet (PUT /api/v1/offers with fulfillmentChannel FBM sets it)';
  return null;
}
