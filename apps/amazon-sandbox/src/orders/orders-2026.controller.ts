import { Controller, Get, Param, Query, Req } from '@nestjs/common';
import { SpApiOperationName, type SpApiRequest } from '../sp-api/sp-api-operation.decorator';
import { OrdersService } from './orders.service';

/** Orders API v2026-01-01. */
@Controller('orders/2026-01-01/orders')
export class Orders2026Controller {
  constructor(private readonly orders: OrdersService) {}

  @Get()
  @SpApiOperationName('searchOrders')
  searchOrders(@Req() req: SpApiRequest, @Query() query: Record<string, unknown>) {
    return this.orders.searchOrders(req.sellerId, query);
  }

  @Get(':orderId')
  @SpApiOperationName('getOrder2026')
  getOrder(@Req() req: SpApiRequest, @Param('orderId') orderId: string, @Query() query: Record<string, unknown>) {
    return this.orders.getOrder(req.sellerId, orderId, query);
  }
}
