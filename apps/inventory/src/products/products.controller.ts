import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  CREATE_PRODUCT,
  CreateProductRequest,
  LIST_OFFERS,
  LIST_PRODUCTS,
  ListOffersRequest,
  ListProductsRequest,
  PUT_OFFER,
  PutOfferRequest,
  RESOLVE_PRODUCTS,
  ResolveProductsRequest,
} from '@connector/contracts';
import { ProductsService } from './products.service';

/** Products, and the SKU offers that point at them. */
@Controller()
export class ProductsController {
  constructor(private readonly products: ProductsService) {}

  @MessagePattern(RESOLVE_PRODUCTS) resolveProducts(@Payload() r: ResolveProductsRequest) { return this.products.resolve(r); }
  @MessagePattern(LIST_PRODUCTS) listProducts(@Payload() r: ListProductsRequest) { return this.products.list(r); }
  @MessagePattern(CREATE_PRODUCT) createProduct(@Payload() r: CreateProductRequest) { return this.products.create(r); }
  @MessagePattern(LIST_OFFERS) listOffers(@Payload() r: ListOffersRequest) { return this.products.listOffers(r); }
  @MessagePattern(PUT_OFFER) putOffer(@Payload() r: PutOfferRequest) { return this.products.putOffer(r); }
}
