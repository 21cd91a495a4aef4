import { Module } from '@nestjs/common';
import { DeliveriesModule } from '../deliveries/deliveries.module';
import { LocationsModule } from '../locations/locations.module';
import { FbaStockMoves } from './fba-stock-moves';
import { OrderFulfillmentHandler } from './order-fulfillment.handler';

/** What synced and cancelled sales orders mean for stock: FBA moves here, FBM deliveries through DeliveriesModule. */
@Module({
  imports: [LocationsModule, DeliveriesModule],
  providers: [OrderFulfillmentHandler, FbaStockMoves],
})
export class FulfillmentModule {}
