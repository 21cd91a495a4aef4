import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { AdjustStockRequest, ListStockMovesRequest, ListStockRequest, Page, StockLevelView, StockMoveState, StockMoveView } from '@connector/contracts';
import { listPage, ServiceError } from '@connector/platform';
import { DataSource, Repository } from 'typeorm';
import { newRowId } from '@connector/persistence';
import { ADJUSTMENT_LOCATION_ID, Location } from '../locations/location.entity';
import { Product } from '../products/product.entity';
import { StockMove } from './stock-move.entity';
import { moveView } from './stock.views';

@Injectable()
export class StockService {
  constructor(
    private readonly dataSource: DataSource,
    @InjectRepository(StockMove) private readonly moves: Repository<StockMove>,
  ) {}

  async listMoves(request: ListStockMovesRequest): Promise<Page<StockMoveView>> {
    const query = this.moves.createQueryBuilder('m');
    if (request.orderId) query.andWhere('m.orderId = :orderId', { orderId: request.orderId });
    if (request.productId) query.andWhere('m.productId = :productId', { productId: request.productId });
    if (request.state) query.andWhere('m.state = :state', { state: request.state });
    return listPage(query, request, moveView);
  }

  /** Quantity on hand per product and location: done moves in, less done moves out. */
  async levels(request: ListStockRequest): Promise<Page<StockLevelView>> {
    const limit = request.limit ?? 50;
    const offset = request.cursor ? Number.parseInt(Buffer.from(request.cursor, 'base64url').toString(), 10) : 0;
    if (!Number.isInteger(offset) || offset < 0) throw ServiceError.badRequest('cursor is not one this API handed out');
    const rows: { product_id: string; location_id: string; location_name: string; quantity: string }[] = await this.dataSource.query(
      `with flows as (
         select product_id, to_location_id as location_id, quantity from stock_moves where state = 'done'
         union all
         select product_id, from_location_id, -quantity from stock_moves where state = 'done'
       )
       select f.product_id, f.location_id, l.name as location_name, sum(f.quantity) as quantity
         from flows f join locations l on l.id = f.location_id
        where l.kind <> 'inventory_adjustment'
          and ($1::uuid is null or f.product_id = $1) and ($2::uuid is null or f.location_id = $2)
        group by f.product_id, f.location_id, l.name
        order by f.product_id, f.location_id
        limit $3 offset $4`,
      [request.productId ?? null, request.locationId ?? null, limit + 1, offset],
    );
    const items = rows.slice(0, limit).map((r) => ({ productId: r.product_id, locationId: r.location_id, locationName: r.location_name, quantity: Number(r.quantity) }));
    return { items, nextCursor: rows.length > limit ? Buffer.from(String(offset + limit)).toString('base64url') : undefined };
  }

  /** Sets the quantity of a product at a location, through a move from or to the adjustment location. */
  async adjust(request: AdjustStockRequest): Promise<StockLevelView> {
    return this.dataSource.transaction(async (manager) => {
      const location = await manager.findOneBy(Location, { id: request.locationId });
      if (!location || location.kind === 'inventory_adjustment') throw ServiceError.notFound(`location ${request.locationId} not found`);
      if (!(await manager.existsBy(Product, { id: request.productId }))) throw ServiceError.notFound(`product ${request.productId} not found`);
      await manager.query(`select pg_advisory_xact_lock(hashtext($1))`, [`stock:${request.productId}:${request.locationId}`]);
      const [{ quantity }]: { quantity: string }[] = await manager.query(
        `select coalesce(sum(case when to_location_id = $2 then quantity else -quantity end), 0) as quantity
           from stock_moves where state = 'done' and product_id = $1 and (to_location_id = $2 or from_location_id = $2)`,
        [request.productId, request.locationId],
      );
      const difference = request.quantity - Number(quantity);
      if (difference !== 0) {
        await manager.insert(StockMove, {
          id: newRowId(),
          orderId: null,
          orderLineId: null,
          orderItemId: null,
          deliveryId: null,
          productId: request.productId,
          quantity: Math.abs(difference),
          fromLocationId: difference > 0 ? ADJUSTMENT_LOCATION_ID : request.locationId,
          toLocationId: difference > 0 ? request.locationId : ADJUSTMENT_LOCATION_ID,
          state: StockMoveState.Done,
          reason: 'adjustment',
          doneAt: new Date(),
        });
      }
      return { productId: request.productId, locationId: location.id, locationName: location.name, quantity: request.quantity };
    });
  }
}
