import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CarriersModule } from '../carriers/carriers.module';
import { DeliveriesController } from './deliveries.controller';
import { DeliveriesService } from './deliveries.service';
import { DeliveriesMetrics } from './deliveries.metrics';
import { Delivery } from './delivery.entity';
import { OrderDeliveries } from './order-deliveries';

/** FBM deliveries. (Their personal-data retention runs with the service's RetentionModule.) */
@Module({
  imports: [TypeOrmModule.forFeature([Delivery]), CarriersModule],
  controllers: [DeliveriesController],
  providers: [DeliveriesService, OrderDeliveries, DeliveriesMetrics],
  exports: [OrderDeliveries],
})
export class DeliveriesModule {}
