import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { LISTING_QUANTITY_CHANGED } from '@connector/contracts';
import { Outbox, OutboxEvent } from '@connector/messaging';
import { PeriodicWorker, returnedRows } from '@connector/workers';
import { DataSource, EntityManager } from 'typeorm';
import { STOCK_LOCATION_ID } from '../locations/location.entity';

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
 * Available: done moves into a stock location, less moves out of it done or still ready (held
 * by FBM deliveries not yet shipped), per warehouse an offer's account ships from (offerQuantities).
 * Only products that ever moved through a stock location: an FBA-only product has nothing of the
 * seller's own to announce. Products are noted by the stock_moves trigger and also when an
 * account's ship-from assignments change or a warehouse is archived (the warehouse an offer sells
 * from changes).
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
    const stock = await stockByLocation(manager, productIds);
    if (stock.size === 0) return { notes: taken.length, events: 0 };
    // An offer of an account with no ship-from assignment is told its product's quantity at Stock
    // and nothing per marketplace (offerQuantities): one whose announced values are those already
    // is not returned. PostgreSQL still reads every offer of the product (with its announced row and
    // an assignment probe each); only the rows sent to Node and compared there shrink to the few that
    // changed, for a product sold by many accounts (an agency's shared catalogue, issue 18).
    const atStock = [...stock].map(([productId, product]) => ({ productId, quantity: offerQuantities(product, undefined).quantity }));
    const offers: {
      account_id: string;
      sku: string;
      product_id: string;
      last: number | null;
      last_marketplaces: Record<string, number> | null;
      last_skipped: string | null;
      reason: string | null;
    }[] = await manager.query(
      `select o.account_id, o.sku, o.product_id, lq.quantity as last, lq.marketplace_quantities as last_marketplaces,
              lq.skipped_reason as last_skipped, r.reason
         from offers o
         join unnest($1::uuid[], $2::int[]) as s(product_id, quantity) on s.product_id = o.product_id
         cross join lateral (select ${SKIPPED_REASON_SQL} as reason) r
         left join listing_quantities lq on lq.account_id = o.account_id and lq.sku = o.sku
        where not (lq.quantity is not distinct from s.quantity
                   and lq.marketplace_quantities = '{}'::jsonb
                   and lq.skipped_reason is not distinct from r.reason
                   and not exists (select 1 from ship_from_assignments a where a.account_id = o.account_id))
        order by o.account_id, o.sku`,
      [atStock.map((p) => p.productId), atStock.map((p) => p.quantity), ...SKIPPED_REASONS],
    );
    const warehouses = await accountWarehouses(manager, [...new Set(offers.map((o) => o.account_id))]);
    const changed: { account_id: string; sku: string; product_id: string; skippedReason: string | null; quantity: number; marketplaceQuantities: Record<string, number> }[] = [];
    for (const o of offers) {
      const told = offerQuantities(stock.get(o.product_id)!, warehouses.get(o.account_id));
      if (o.last === told.quantity && o.last_skipped === o.reason && sameQuantities(o.last_marketplaces ?? {}, told.marketplaceQuantities)) continue;
      changed.push({ account_id: o.account_id, sku: o.sku, product_id: o.product_id, skippedReason: o.reason, ...told });
    }
    if (changed.length === 0) return { notes: taken.length, events: 0 };
    const versions: { version: string }[] = await manager.query(`select nextval('listing_quantity_versions') as version from generate_series(1, $1)`, [changed.length]);
    const changedAt = new Date();
    const rows = changed.map((o, i) => ({
      accountId: o.account_id,
      sku: o.sku,
      productId: o.product_id,
      quantity: o.quantity,
      marketplaceQuantities: o.marketplaceQuantities,
      version: Number(versions[i].version),
      skippedReason: o.skippedReason,
    }));
    await manager.query(
      `insert into listing_quantities (account_id, sku, product_id, quantity, version, changed_at, skipped_reason, marketplace_quantities)
       select * from unnest($1::uuid[], $2::text[], $3::uuid[], $4::int[], $5::bigint[], array_fill($6::timestamptz, array[cardinality($1::uuid[])]), $7::text[], $8::jsonb[])
       on conflict (account_id, sku) do update set product_id = excluded.product_id, quantity = excluded.quantity, version = excluded.version, changed_at = excluded.changed_at,
          skipped_reason = excluded.skipped_reason, marketplace_quantities = excluded.marketplace_quantities`,
      [
        rows.map((r) => r.accountId),
        rows.map((r) => r.sku),
        rows.map((r) => r.productId),
        rows.map((r) => r.quantity),
        rows.map((r) => r.version),
        changedAt,
        rows.map((r) => r.skippedReason),
        rows.map((r) => JSON.stringify(r.marketplaceQuantities)),
      ],
    );
    await this.outbox.addMany(
      manager,
      rows.map((r) =>
        OutboxEvent.of(LISTING_QUANTITY_CHANGED, {
          accountId: r.accountId,
          sku: r.sku,
          productId: r.productId,
          availableQuantity: r.quantity,
          marketplaceQuantities: Object.entries(r.marketplaceQuantities).map(([marketplaceId, availableQuantity]) => ({ marketplaceId, availableQuantity })),
          version: r.version,
          changedAt: changedAt.toISOString(),
          skippedReason: r.skippedReason,
        }),
      ),
    );
    return { notes: taken.length, events: rows.length };
  }
}

/** A product's stock per live stock location (on hand less what ready FBM moves hold, may be below 0). */
export interface ProductStock {
  byLocation: Map<string, number>;
}

/** A batch's stock per product and stock location ($1 the products, $2 the stock locations). */
export const STOCK_BY_LOCATION = `select m.product_id, m.location_id, l.archived_at is not null as archived, sum(m.quantity)::int as quantity
     from (select product_id, to_location_id as location_id, quantity from stock_moves
            where product_id = any($1::uuid[]) and state = 'done' and reason not in ('fba_sale', 'fba_sale_reversal') and to_location_id = any($2::uuid[])
           union all
           select product_id, from_location_id, -quantity from stock_moves
            where product_id = any($1::uuid[]) and state in ('done', 'ready') and reason not in ('fba_sale', 'fba_sale_reversal') and from_location_id = any($2::uuid[])) m
     join locations l on l.id = m.location_id
    group by m.product_id, m.location_id, l.archived_at`;

/**
 * The stock of each product that ever moved through a stock location (the others: none of the
 * seller's own to announce). Only moves into and out of stock locations are read, by the partial
 * indexes stock_moves_product_in/out, which hold neither FBA sales (the query repeats their
 * condition, so the planner uses them) nor cancelled moves.
 * An archived warehouse's stock does not count (nothing ships from it), but a product that
 * moved only through it is still announced (0), so its offers do not keep an old quantity.
 */
async function stockByLocation(manager: EntityManager, productIds: string[]): Promise<Map<string, ProductStock>> {
  const stockLocationIds = (await manager.query(`select id from locations where kind = 'stock'`)).map((l: { id: string }) => l.id);
  const rows: { product_id: string; location_id: string; archived: boolean; quantity: number }[] = await manager.query(STOCK_BY_LOCATION, [productIds, stockLocationIds]);
  const stock = new Map<string, ProductStock>();
  for (const row of rows) {
    const product = stock.get(row.product_id) ?? { byLocation: new Map<string, number>() };
    stock.set(row.product_id, product);
    if (!row.archived) product.byLocation.set(row.location_id, row.quantity);
  }
  return stock;
}

/** An account's ship-from assignments: its default location (if any) and each marketplace's own. */
export interface AccountWarehouses {
  defaultLocationId: string | null;
  byMarketplace: Map<string, string>;
}

async function accountWarehouses(manager: EntityManager, accountIds: string[]): Promise<Map<string, AccountWarehouses>> {
  const rows: { account_id: string; marketplace_id: string | null; location_id: string }[] = accountIds.length
    ? await manager.query(`select account_id, marketplace_id, location_id from ship_from_assignments where account_id = any($1::uuid[]) order by account_id, marketplace_id`, [accountIds])
    : [];
  const warehouses = new Map<string, AccountWarehouses>();
  for (const row of rows) {
    const account = warehouses.get(row.account_id) ?? { defaultLocationId: null, byMarketplace: new Map<string, string>() };
    warehouses.set(row.account_id, account);
    if (row.marketplace_id === null) account.defaultLocationId = row.location_id;
    else account.byMarketplace.set(row.marketplace_id, row.location_id);
  }
  return warehouses;
}

/**
 * What an offer of the account is told, from where its deliveries ship (shipFromLocations): each
 * marketplace with its own assignment that warehouse's quantity; every other marketplace the
 * default's: the account's default warehouse, else the shared Stock location. An account with no
 * assignment at all ships everything from Stock, so it is told Stock's quantity only: the stock of
 * the other warehouses is what other accounts (or its own marketplaces once assigned) ship from,
 * and counting it too would sell the same units twice.
 */
export function offerQuantities(stock: ProductStock, warehouses: AccountWarehouses | undefined): { quantity: number; marketplaceQuantities: Record<string, number> } {
  const at = (locationId: string) => Math.max(0, stock.byLocation.get(locationId) ?? 0);
  const marketplaceQuantities: Record<string, number> = {};
  for (const [marketplaceId, locationId] of [...(warehouses?.byMarketplace ?? [])].sort(([a], [b]) => a.localeCompare(b))) marketplaceQuantities[marketplaceId] = at(locationId);
  return { quantity: at(warehouses?.defaultLocationId ?? STOCK_LOCATION_ID), marketplaceQuantities };
}

function sameQuantities(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

/** Why an offer is not told a merchant quantity: with FBA and FBM orders, FBA only, no FBM order yet. */
export const SKIPPED_REASONS = [
  'SKU is also fulfilled by Amazon',
  'SKU is fulfilled by Amazon',
  'no FBM order of this SKU seen yet (PUT /api/v1/offers with fulfillmentChannel FBM sets it)',
] as const;

/**
 * Why offer `o` is not told a merchant quantity, from the channels its orders came under ($3 to $5:
 * SKIPPED_REASONS); null: it is sent. Its only definition: the skip test and the announced reason
 * both read it, so they cannot disagree.
 */
export const SKIPPED_REASON_SQL = `case when 'FBA' = any(o.fulfillment_channels) and 'FBM' = any(o.fulfillment_channels) then $3
                                         when 'FBA' = any(o.fulfillment_channels) then $4
                                         when not ('FBM' = any(o.fulfillment_channels)) then $5 end`;
