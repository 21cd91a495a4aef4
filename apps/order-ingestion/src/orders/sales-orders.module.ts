import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FulfillmentProjection } from './fulfillment-projection';
import { PartnerAndProductResolution } from './partner-and-product-resolution';
import { QuarantineStore } from './quarantine-store';
import { QuarantinedOrder } from './quarantined-order.entity';
import { SalesOrderLine } from './sales-order-line.entity';
import { SalesOrderStore } from './sales-order-store';
import { SalesOrderWriter } from './sales-order-writer';
import { SalesOrder } from './sales-order.entity';
import { SalesOrdersController } from './sales-orders.controller';
import { SalesOrdersService } from './sales-orders.service';
import { SkuProductCache } from './sku-product-cache';

@Module({
  imports: [TypeOrmModule.forFeature([SalesOrder, SalesOrderLine, QuarantinedOrder])],
  controllers: [SalesOrdersController],
  providers: [SalesOrdersService, SalesOrderWriter, SalesOrderStore, PartnerAndProductResolution, QuarantineStore, SkuProductCache, FulfillmentProjection],
  exports: [SalesOrderWriter, SalesOrderStore, QuarantineStore],
})
export class SalesOrdersModule {}
