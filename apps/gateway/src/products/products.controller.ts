import { Body, Controller, Get, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  CREATE_PRODUCT,
  CreateProductRequest,
  LIST_OFFERS,
  LIST_PRODUCTS,
  ListOffersRequest,
  ListProductsRequest,
  OfferView,
  Page,
  ProductView,
  PUT_OFFER,
  PutOfferRequest,
} from '@connector/contracts';
import { ServiceClient } from '@connector/platform';
import { API_V1 } from '../common/api-version';
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
  @ApiOperation({ operationId: 'createProduct', summary: 'Create a product' })
  @ApiProblems(413)
  createProduct(@Body() body: CreateProductRequest): Promise<ProductView> {
    return this.services.request(CREATE_PRODUCT, body);
  }

  @Get('offers')
  @AccountFrom('query')
  @ApiOperation({ operationId: 'listOffers', summary: 'SKU offers (account, SKU -> product)' })
  @ApiPage(OfferView)
  listOffers(@Query() query: ListOffersRequest): Promise<Page<OfferView>> {
    return this.services.request(LIST_OFFERS, query);
  }

  @Put('offers')
  @RequiresScope(ApiScope.Operate)
  @ApiOperation({ operationId: 'putOffer', summary: 'Map an account SKU to a product (create or replace)' })
  @ApiProblems(404, 413)
  putOffer(@Body() body: PutOfferRequest): Promise<OfferView> {
    return this.services.request(PUT_OFFER, body);
  }
}
