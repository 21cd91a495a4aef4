import { Body, Controller, Delete, Get, HttpCode, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  CREATE_PRODUCT,
  CreateProductRequest,
  GET_OFFER,
  LIST_OFFERS,
  LIST_PRODUCTS,
  ListOffersRequest,
  ListProductsRequest,
  MAP_OFFER,
  MapOfferBody,
  MapOfferRequest,
  MARK_OFFER_REVIEWED,
  OfferView,
  Page,
  ProductView,
  PUT_OFFER,
  PutOfferRequest,
  UNMAP_OFFER,
} from '@connector/contracts';
import { ServiceClient } from '@connector/platform';
import { API_V1 } from '../common/api-version';
import { UuidParam } from '../common/validation';
import { Idempotent } from '../idempotency/idempotent.decorator';
import { ApiPage, ApiProblems, ApiRoutes } from '../openapi/api-docs';
import { AccountFrom, ApiScope, RequiresScope } from '../access/scopes';

@ApiTags('products')
@ApiRoutes({ services: true })
@Controller(API_V1)
export class ProductsController {
  constructor(private readonly services: ServiceClient) {}

  @Get('products')
  @AccountFrom('none')
  @ApiOperation({ operationId: 'listProducts', summary: 'Products' })
  @ApiPage(ProductView)
  listProducts(@Query() query: ListProductsRequest): Promise<Page<ProductView>> {
    return this.services.request(LIST_PRODUCTS, query);
  }

  @Post('products')
  @RequiresScope(ApiScope.Operate)
  @AccountFrom('none')
  @Idempotent()
  @ApiOperation({
    operationId: 'createProduct',
    summary: 'Create a product; an Amazon SKU equal to its internal reference (trimmed, case-sensitive) sells it, on every account and marketplace',
  })
  @ApiProblems(409, 413)
  createProduct(@Body() body: CreateProductRequest): Promise<ProductView> {
    return this.services.request(CREATE_PRODUCT, body);
  }

  @Get('offers')
  @AccountFrom('query')
  @ApiOperation({
    operationId: 'listOffers',
    summary: 'SKU offers (account, SKU -> product); `createdProduct=true&reviewed=false` lists the SKUs that created new products, to review',
  })
  @ApiPage(OfferView)
  listOffers(@Query() query: ListOffersRequest): Promise<Page<OfferView>> {
    return this.services.request(LIST_OFFERS, query);
  }

  @Get('offers/:id')
  @AccountFrom({ resource: 'offer' })
  @ApiOperation({ operationId: 'getOffer', summary: 'One SKU offer' })
  @ApiProblems(404)
  getOffer(@UuidParam() id: string): Promise<OfferView> {
    return this.services.request(GET_OFFER, { id });
  }

  @Put('offers')
  @RequiresScope(ApiScope.Operate)
  @ApiOperation({ operationId: 'putOffer', summary: 'Map an account SKU to a product (create or replace)' })
  @ApiProblems(404, 413)
  putOffer(@Body() body: PutOfferRequest): Promise<OfferView> {
    return this.services.request(PUT_OFFER, body);
  }

  @Put('offers/:id/product')
  @RequiresScope(ApiScope.Operate)
  @AccountFrom({ resource: 'offer' })
  @ApiOperation({
    operationId: 'mapOffer',
    summary: 'Map the offer to another existing product: later orders of its SKU use it; orders already stored keep the product they have',
  })
  @ApiProblems(404, 413)
  mapOffer(@UuidParam() id: string, @Body() body: MapOfferBody): Promise<OfferView> {
    const request: MapOfferRequest = { ...body, id };
    return this.services.request(MAP_OFFER, request);
  }

  @Delete('offers/:id/product')
  @RequiresScope(ApiScope.Operate)
  @AccountFrom({ resource: 'offer' })
  @HttpCode(204)
  @ApiOperation({
    operationId: 'unmapOffer',
    summary: 'Unmap the offer (it is removed): the next order of its SKU resolves again, by internal reference, default product, or a new product',
  })
  @ApiResponse({ status: 204, description: 'Unmapped (the offer is removed).' })
  @ApiProblems(404)
  async unmapOffer(@UuidParam() id: string): Promise<void> {
    await this.services.request(UNMAP_OFFER, { id });
  }

  @Post('offers/:id/reviewed')
  @RequiresScope(ApiScope.Operate)
  @AccountFrom({ resource: 'offer' })
  @HttpCode(200)
  @ApiOperation({ operationId: 'markOfferReviewed', summary: 'Mark a SKU that created a product as reviewed (off the review list)' })
  @ApiProblems(404)
  markOfferReviewed(@UuidParam() id: string): Promise<OfferView> {
    return this.services.request(MARK_OFFER_REVIEWED, { id });
  }
}
