import { StockMoveView } from '@connector/contracts';
import { StockMove } from './stock-move.entity';

export function moveView(m: StockMove): StockMoveView {
  return {
    id: m.id,
    orderId: m.orderId,
    orderLineId: m.orderLineId,
    orderItemId: m.orderItemId,
    deliveryId: m.deliveryId,
    productId: m.productId,
    quantity: m.quantity,
    fromLocationId: m.fromLocationId,
    toLocationId: m.toLocationId,
    state: m.state,
    reason: m.reason,
    doneAt: m.doneAt?.toISOString() ?? null,
  };
}
