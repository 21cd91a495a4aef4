import { Injectable } from '@nestjs/common';
import { LISTING_QUANTITY_CHANGED, ListingQuantityChangedEvent } from '@connector/contracts';
import { EventContext, OnEvent } from '@connector/messaging';
import { newRowId } from '@connector/persistence';
import { StockSender } from './stock-sender';

/**
 * An offer's new available quantity (and those of its marketplaces with their own warehouse)
 * becomes its SKU's row, pending. Last value wins: an event
 * older than the row's version (redelivered, or overtaken) changes nothing. A row being sent
 * keeps its claim (next_attempt_at ahead): the newer value goes after the send under way has
 * finished, never beside it, so Amazon never gets an older value after a newer one.
 *
 * An offer inventory says must not be told a merchant quantity (its SKU is fulfilled by Amazon,
 * or not known FBM) is `skipped` with the reason: the sender never claims it, and a send already
 * under way for an older value leaves it skipped when it ends.
 */
@Injectable()
export class StockUpdateIntake {
  constructor(private readonly sender: StockSender) {}

  @OnEvent(LISTING_QUANTITY_CHANGED)
  async onListingQuantityChanged(event: ListingQuantityChangedEvent, { manager, afterCommit }: EventContext): Promise<void> {
    await manager.query(
      `insert into stock_updates (id, account_id, sku, product_id, available_quantity, version, changed_at, status, last_error, next_attempt_at, marketplace_quantities)
       values ($1, $2, $3, $4, $5, $6, $7, case when $8::text is null then 'pending' else 'skipped' end, $8, now(), $9::jsonb)
       on conflict (account_id, sku) do update
          set product_id = excluded.product_id, available_quantity = excluded.available_quantity, version = excluded.version,
              marketplace_quantities = excluded.marketplace_quantities,
              changed_at = excluded.changed_at, status = excluded.status, attempts = 0, last_error = excluded.last_error,
              next_attempt_at = greatest(stock_updates.next_attempt_at, now()), updated_at = now()
        where stock_updates.version < excluded.version`,
      [newRowId(), event.accountId, event.sku, event.productId, event.availableQuantity, event.version, event.changedAt, event.skippedReason ?? null,
        JSON.stringify(Object.fromEntries((event.marketplaceQuantities ?? []).map((m) => [m.marketplaceId, m.availableQuantity]))),
      ],
    );
    afterCommit.add(() => this.sender.kick());
  }
}
