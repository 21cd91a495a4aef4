import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  CREATE_PRODUCT,
  CreateProductRequest,
  GET_OFFER,
  IdRequest,
  LIST_OFFERS,
  LIST_PRODUCTS,
  ListOffersRequest,
  ListProductsRequest,
  MAP_OFFER,
  MapOfferRequest,
  MARK_OFFER_REVIEWED,
  PUT_OFFER,
  PutOfferRequest,
  RESOLVE_PRODUCTS,
  ResolveProductsRequest,
  UNMAP_OFFER,
} from '@connector/contracts';
import { HandlesRequest } from '@connector/platform';
import { ProductsService } from './products.service';

/** Products, and the SKU offers that point at them. */
@Controller()
export class ProductsController {
  constructor(private readonly products: ProductsService) {}

  @HandlesRequest(RESOLVE_PRODUCTS) resolveProducts(@Payload() r: ResolveProductsRequest) { return this.products.resolve(r); }
  @HandlesRequest(LIST_PRODUCTS) listProducts(@Payload() r: ListProductsRequest) { return this.products.list(r); }
  @HandlesRequest(CREATE_PRODUCT) createProduct(@Payload() r: CreateProductRequest) { return this.products.create(r); }
  @HandlesRequest(LIST_OFFERS) listOffers(@Payload() r: ListOffersRequest) { return this.products.listOffers(r); }
  @HandlesRequest(PUT_OFFER) putOffer(@Payload() r: PutOfferRequest) { return this.products.putOffer(r); }
  @HandlesRequest(GET_OFFER) getOffer(@Payload() r: IdRequest) { return this.products.getOffer(r); }
  @HandlesRequest(MAP_OFFER) mapOffer(@Payload() r: MapOfferRequest) { return this.products.mapOffer(r); }
  @HandlesRequest(UNMAP_OFFER) unmapOffer(@Payload() r: IdRequest) { return this.products.unmapOffer(r); }
  @HandlesRequest(MARK_OFFER_REVIEWED) markOfferReviewed(@Payload() r: IdRequest) { return this.products.markOfferReviewed(r); }
}
