import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FulfillmentProjection } from './fulfillment-projection';
import { QuarantinedOrder } from './quarantined-order.entity';
import { SalesOrderLine } from './sales-order-line.entity';
import { SalesOrderWriter } from './sales-order-writer';
import { SalesOrder } from './sales-order.entity';
import { SalesOrdersController } from './sales-orders.controller';
import { SalesOrdersService } from './sales-orders.service';

@Module({
  imports: [TypeOrmModule.forFeature([SalesOrder, SalesOrderLine, QuarantinedOrder])],
  controllers: [SalesOrdersController],
  providers: [SalesOrdersService, SalesOrderWriter, FulfillmentProjection],
  exports: [SalesOrderWriter],
})
export class SalesOrdersModule {}
