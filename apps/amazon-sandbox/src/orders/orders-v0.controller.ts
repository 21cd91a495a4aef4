import { Body, Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { SpApiOperationName, type SpApiRequest } from '../sp-api/sp-api-operation.decorator';
import { ShipmentConfirmationService } from './shipment-confirmation.service';

/** Orders API v0 (deprecated by Amazon, still the home of confirmShipment). */
@Controller('orders/v0/orders')
export class OrdersV0Controller {
  constructor(private readonly shipments: ShipmentConfirmationService) {}

  @Post(':orderId/shipmentConfirmation')
  @HttpCode(204)
  @SpApiOperationName('confirmShipment')
  confirmShipment(@Req() req: SpApiRequest, @Param('orderId') orderId: string, @Body() body: unknown): void {
    this.shipments.confirm(req.sellerId, orderId, body);
  }
}
