import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { SpApiOperationName, type SpApiRequest } from '../sp-api/sp-api-operation.decorator';
import { OrdersV0Service } from './orders-v0.service';
import { ShipmentConfirmationService } from './shipment-confirmation.service';

/** Orders API v0 (deprecated by Amazon, still the home of confirmShipment). */
@Controller('orders/v0/orders')
export class OrdersV0Controller {
  constructor(
    private readonly shipments: ShipmentConfirmationService,
    private readonly orders: OrdersV0Service,
  ) {}

  @Get()
  @SpApiOperationName('getOrders')
  getOrders(@Req() req: SpApiRequest, @Query() query: Record<string, unknown>) {
    return this.orders.getOrders(req.sellerId, query, req.restrictedResource);
  }

  @Get(':orderId')
  @SpApiOperationName('getOrder')
  getOrder(@Req() req: SpApiRequest, @Param('orderId') orderId: string) {
    return this.orders.getOrder(req.sellerId, orderId, req.restrictedResource);
  }

  @Get(':orderId/orderItems')
  @SpApiOperationName('getOrderItems')
  getOrderItems(@Req() req: SpApiRequest, @Param('orderId') orderId: string, @Query() query: Record<string, unknown>) {
    return this.orders.getOrderItems(req.sellerId, orderId, query, req.restrictedResource);
  }

  @Get(':orderId/orderItems/buyerInfo')
  @SpApiOperationName('getOrderItemsBuyerInfo')
  getOrderItemsBuyerInfo(@Req() req: SpApiRequest, @Param('orderId') orderId: string, @Query() query: Record<string, unknown>) {
    return this.orders.getOrderItemsBuyerInfo(req.sellerId, orderId, query, req.restrictedResource);
  }

  @Get(':orderId/address')
  @SpApiOperationName('getOrderAddress')
  getOrderAddress(@Req() req: SpApiRequest, @Param('orderId') orderId: string) {
    return this.orders.getOrderAddress(req.sellerId, orderId, req.restrictedResource);
  }

  @Get(':orderId/buyerInfo')
  @SpApiOperationName('getOrderBuyerInfo')
  getOrderBuyerInfo(@Req() req: SpApiRequest, @Param('orderId') orderId: string) {
    return this.orders.getOrderBuyerInfo(req.sellerId, orderId, req.restrictedResource);
  }

  @Post(':orderId/shipmentConfirmation')
  @HttpCode(204)
  @SpApiOperationName('confirmShipment')
  confirmShipment(@Req() req: SpApiRequest, @Param('orderId') orderId: string, @Body() body: unknown): void {
    this.shipments.confirm(req.sellerId, orderId, body);
  }
}
