import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  ADJUST_STOCK,
  AdjustStockRequest,
  CREATE_PRODUCT,
  CreateProductRequest,
  GET_DELIVERY,
  IdRequest,
  LIST_DELIVERIES,
  LIST_LOCATIONS,
  LIST_OFFERS,
  LIST_PRODUCTS,
  LIST_STOCK,
  LIST_STOCK_MOVES,
  ListDeliveriesRequest,
  ListOffersRequest,
  ListProductsRequest,
  ListStockMovesRequest,
  ListStockRequest,
  PageQuery,
  PUT_OFFER,
  PutOfferRequest,
  RESOLVE_PRODUCTS,
  ResolveProductsRequest,
  VALIDATE_DELIVERY,
  ValidateDeliveryRequest,
} from '@connector/contracts';
import { DeliveriesService } from './deliveries/deliveries.service';
import { LocationsService } from './locations/locations.service';
import { ProductsService } from './products/products.service';
import { StockService } from './stock/stock.service';

/** The inventory service's request/reply API. */
@Controller()
export class InventoryController {
  constructor(
    private readonly products: ProductsService,
    private readonly deliveries: DeliveriesService,
    private readonly stock: StockService,
    private readonly locations: LocationsService,
  ) {}

  @MessagePattern(RESOLVE_PRODUCTS) resolveProducts(@Payload() r: ResolveProductsRequest) { return this.products.resolve(r); }
  @MessagePattern(LIST_PRODUCTS) listProducts(@Payload() r: ListProductsRequest) { return this.products.list(r); }
  @MessagePattern(CREATE_PRODUCT) createProduct(@Payload() r: CreateProductRequest) { return this.products.create(r); }
  @MessagePattern(LIST_OFFERS) listOffers(@Payload() r: ListOffersRequest) { return this.products.listOffers(r); }
  @MessagePattern(PUT_OFFER) putOffer(@Payload() r: PutOfferRequest) { return this.products.putOffer(r); }
  @MessagePattern(LIST_DELIVERIES) listDeliveries(@Payload() r: ListDeliveriesRequest) { return this.deliveries.list(r); }
  @MessagePattern(GET_DELIVERY) getDelivery(@Payload() r: IdRequest) { return this.deliveries.get(r.id); }
  @MessagePattern(VALIDATE_DELIVERY) validateDelivery(@Payload() r: ValidateDeliveryRequest) { return this.deliveries.validate(r); }
  @MessagePattern(LIST_STOCK_MOVES) listMoves(@Payload() r: ListStockMovesRequest) { return this.stock.listMoves(r); }
  @MessagePattern(LIST_STOCK) listStock(@Payload() r: ListStockRequest) { return this.stock.levels(r); }
  @MessagePattern(ADJUST_STOCK) adjust(@Payload() r: AdjustStockRequest) { return this.stock.adjust(r); }
  @MessagePattern(LIST_LOCATIONS) async listLocations(@Payload() _r: PageQuery) { return { items: await this.locations.list() }; }
}
