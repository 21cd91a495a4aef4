import type { ServiceName } from '@connector/contracts';
import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MessagingModule, ParkedEventsRetention } from '@connector/messaging';
import { HealthModule, messagingOptions, MetricsModule, RetentionModule, ServiceClientModule, ServiceSettings, SettingsModule } from '@connector/platform';
import { inventoryDataSource } from './data-source';
import { DeliveriesModule } from './deliveries/deliveries.module';
import { DeliveryPersonalDataRetention } from './deliveries/delivery-personal-data.retention';
import { FulfillmentModule } from './fulfillment/fulfillment.module';
import { ListingQuantitiesModule } from './listing-quantities/listing-quantities.module';
import { LocationsModule } from './locations/locations.module';
import { ShipFromModule } from './ship-from/ship-from.module';
import { ProductsModule } from './products/products.module';
import { StockModule } from './stock/stock.module';

export const SERVICE_NAME: ServiceName = 'inventory';

@Module({})
export class AppModule {
  static forRoot(settings: ServiceSettings): DynamicModule {
    return {
      module: AppModule,
      imports: [
        SettingsModule.forRoot(settings),
        TypeOrmModule.forRoot(inventoryDataSource(settings)),
        MessagingModule.forService(messagingOptions(settings, SERVICE_NAME)),
        // A delivery's validation claims its units at order-ingestion (CLAIM_UNITS_TO_SHIP).
        ServiceClientModule.register(settings, SERVICE_NAME),
        HealthModule.forService(SERVICE_NAME),
        MetricsModule.forService({ events: true }),
        RetentionModule.forTasks([DeliveryPersonalDataRetention, ParkedEventsRetention]),
        ProductsModule,
        LocationsModule,
        ShipFromModule,
        StockModule,
        DeliveriesModule,
        FulfillmentModule,
        ListingQuantitiesModule,
      ],
    };
  }
}
