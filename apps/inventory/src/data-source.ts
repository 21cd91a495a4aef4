import { MESSAGING_ENTITIES, MESSAGING_MIGRATIONS } from '@connector/messaging';
import { DatabaseSettings, serviceDataSourceOptions } from '@connector/persistence';
import { CarrierMapping } from './carriers/carrier-mapping.entity';
import { Delivery } from './deliveries/delivery.entity';
import { OrderState } from './fulfillment/order-state.entity';
import { Location } from './locations/location.entity';
import { InitialSchema1764300000300 } from './migrations/1764300000300-initial-schema';
import { FulfillmentVersions1764300000310 } from './migrations/1764300000310-fulfillment-versions';
import { CarrierMappings1764300000345 } from './migrations/1764300000345-carrier-mappings';
import { DeliveryShippedOutside1765300000350 } from './migrations/1765300000350-delivery-shipped-outside';
import { ShipFromLocations1765300000360 } from './migrations/1765300000360-ship-from-locations';
import { LocationsApi1765300000375 } from './migrations/1765300000375-locations-api';
import { OrderCancellations1765500000370 } from './migrations/1765500000370-order-cancellations';
import { DeliveryWarehouseDetails1765500000380 } from './migrations/1765500000380-delivery-warehouse-details';
import { ListingQuantity } from './listing-quantities/listing-quantity.entity';
import { ListingQuantities1765700000380 } from './migrations/1765700000380-listing-quantities';
import { OfferFulfillmentChannels1765900000390 } from './migrations/1765900000390-offer-fulfillment-channels';
import { ListingQuantitiesPerWarehouse1766000000400 } from './migrations/1766000000400-listing-quantities-per-warehouse';
import { DeliveriesReadyIndex1766000000800 } from './migrations/1766000000800-deliveries-ready-index';
import { ShipFromNotesAndStockIndexes1766000000410 } from './migrations/1766000000410-ship-from-notes-and-stock-indexes';
import { ShipFromAssignment } from './ship-from/ship-from-assignment.entity';
import { CatalogueMatching1764300000320 } from './migrations/1764300000320-catalogue-matching';
import { Offer } from './products/offer.entity';
import { Product } from './products/product.entity';
import { StockMove } from './stock/stock-move.entity';

export const INVENTORY_SCHEMA = 'inventory';

export const inventoryDataSource = (database: string | DatabaseSettings) =>
  serviceDataSourceOptions({
    database,
    schema: INVENTORY_SCHEMA,
    entities: [Product, Offer, Location, StockMove, Delivery, OrderState, CarrierMapping, ShipFromAssignment, ListingQuantity, ...MESSAGING_ENTITIES],
    migrations: [...MESSAGING_MIGRATIONS, InitialSchema1764300000300, FulfillmentVersions1764300000310, CatalogueMatching1764300000320, CarrierMappings1764300000345, DeliveryShippedOutside1765300000350, ShipFromLocations1765300000360, LocationsApi1765300000375, OrderCancellations1765500000370, DeliveryWarehouseDetails1765500000380, ListingQuantities1765700000380, OfferFulfillmentChannels1765900000390, ListingQuantitiesPerWarehouse1766000000400, ShipFromNotesAndStockIndexes1766000000410, DeliveriesReadyIndex1766000000800],
  });
