import { Injectable } from '@nestjs/common';
import { OrderSyncedEvent, SalesOrderLineKind, StockMoveState } from '@connector/contracts';
import { bulkInsert, newRowId } from '@connector/persistence';
import { EntityManager, In } from 'typeorm';
import { CUSTOMERS_LOCATION_ID } from '../locations/location.entity';
import { LocationsService } from '../locations/locations.service';
import { StockMove } from '../stock/stock-move.entity';

/**
 * FBA sales as stock: Amazon shipped the order, so one done move per product line from the
 * account's FBA location to customers; a cancellation reverses what was recorded.
 */
@Injectable()
export class FbaStockMoves {
  constructor(private readonly locations: LocationsService) {}

  async recordSales(manager: EntityManager, events: OrderSyncedEvent[]): Promise<void> {
    const moves: Parameters<FbaStockMoves['recordDoneMoves']>[1] = [];
    const fbaOf = new Map<string, string>();
    for (const event of events) {
      const lines = event.lines.filter((line) => line.kind === SalesOrderLineKind.Product && line.productId && line.quantity > 0);
      if (lines.length === 0) continue;
      const fba = fbaOf.get(event.accountId) ?? (await this.locations.fbaLocation(manager, event.accountId));
      fbaOf.set(event.accountId, fba);
      for (const line of lines) {
        moves.push({
          orderId: event.orderId,
          orderLineId: line.lineId,
          orderItemId: line.orderItemId,
          productId: line.productId!,
          quantity: line.quantity,
          fromLocationId: fba,
          toLocationId: CUSTOMERS_LOCATION_ID,
          reason: 'fba_sale',
        });
      }
    }
    await this.recordDoneMoves(manager, moves);
  }

  /** The orders' FBA sales already recorded go back, as reversal moves. */
  async reverseSales(manager: EntityManager, orderIds: string[]): Promise<void> {
    if (orderIds.length === 0) return;
    const sales = await manager.findBy(StockMove, { orderId: In(orderIds), reason: 'fba_sale', state: StockMoveState.Done });
    await this.recordDoneMoves(
      manager,
      sales.map((sale) => ({
        orderId: sale.orderId,
        orderLineId: sale.orderLineId,
        orderItemId: sale.orderItemId,
        productId: sale.productId,
        quantity: sale.quantity,
        fromLocationId: sale.toLocationId,
        toLocationId: sale.fromLocationId,
        reason: 'fba_sale_reversal' as const,
      })),
    );
  }

  /** Done moves keyed by (order line, reason): a second recording of the same one is ignored. */
  private async recordDoneMoves(
    manager: EntityManager,
    moves: Pick<StockMove, 'orderId' | 'orderLineId' | 'orderItemId' | 'productId' | 'quantity' | 'fromLocationId' | 'toLocationId' | 'reason'>[],
  ): Promise<void> {
    const now = new Date();
    await bulkInsert(
      manager,
      StockMove,
      moves.map((move) => ({ ...move, id: newRowId(), deliveryId: null, state: StockMoveState.Done, doneAt: now })),
      { onConflict: 'ignore' },
    );
  }
}
