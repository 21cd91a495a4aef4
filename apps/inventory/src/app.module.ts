import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MessagingModule, ParkedEventsRetention } from '@connector/messaging';
import { HealthModule, messagingOptions, RetentionModule, ServiceSettings, SettingsModule } from '@connector/platform';
import { inventoryDataSource } from './data-source';
import { DeliveriesService } from './deliveries/deliveries.service';
import { Delivery } from './deliveries/delivery.entity';
import { OrderFulfillmentHandler } from './fulfillment/order-fulfillment.handler';
import { InventoryController } from './inventory.controller';
import { Location } from './locations/location.entity';
import { LocationsService } from './locations/locations.service';
import { Offer } from './products/offer.entity';
import { Product } from './products/product.entity';
import { ProductsService } from './products/products.service';
import { StockMove } from './stock/stock-move.entity';
import { StockService } from './stock/stock.service';
import { DeliveryPersonalDataRetention } from './deliveries/delivery-personal-data.retention';

export const SERVICE_NAME = 'inventory';

@Module({})
export class AppModule {
  static forRoot(settings: ServiceSettings): DynamicModule {
    return {
      module: AppModule,
      imports: [
        SettingsModule.forRoot(settings),
        TypeOrmModule.forRoot(inventoryDataSource(settings.DATABASE_URL)),
        TypeOrmModule.forFeature([Product, Offer, Location, StockMove, Delivery]),
        MessagingModule.forService(messagingOptions(settings, SERVICE_NAME)),
        HealthModule.forService(SERVICE_NAME),
        RetentionModule.forTasks([DeliveryPersonalDataRetention, ParkedEventsRetention]),
      ],
      controllers: [InventoryController],
      providers: [ProductsService, LocationsService, StockService, DeliveriesService, OrderFulfillmentHandler],
    };
  }
}
