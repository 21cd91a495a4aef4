import { Body, Controller, Get, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
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
import { ApiContractBody, ApiContractQuery } from '../common/openapi';
import { AccountFrom, ApiScope, RequiresScope } from '../access/scopes';

@ApiTags('products')
@ApiBearerAuth()
@Controller('api')
export class ProductsController {
  constructor(private readonly services: ServiceClient) {}

  @Get('products')
  @AccountFrom('none')
  @ApiOperation({ summary: 'Products' })
  @ApiContractQuery(ListProductsRequest)
  listProducts(@Query() query: ListProductsRequest): Promise<Page<ProductView>> {
    return this.services.request(LIST_PRODUCTS, query);
  }

  @Post('products')
  @RequiresScope(ApiScope.Operate)
  @AccountFrom('none')
  @ApiOperation({ summary: 'Create a product' })
  @ApiContractBody(CreateProductRequest)
  createProduct(@Body() body: CreateProductRequest): Promise<ProductView> {
    return this.services.request(CREATE_PRODUCT, body);
  }

  @Get('offers')
  @AccountFrom('query')
  @ApiOperation({ summary: 'SKU offers (account, SKU -> product)' })
  @ApiContractQuery(ListOffersRequest)
  listOffers(@Query() query: ListOffersRequest): Promise<Page<OfferView>> {
    return this.services.request(LIST_OFFERS, query);
  }

  @Put('offers')
  @RequiresScope(ApiScope.Operate)
  @ApiOperation({ summary: 'Map an account SKU to a product (create or replace)' })
  @ApiContractBody(PutOfferRequest)
  putOffer(@Body() body: PutOfferRequest): Promise<OfferView> {
    return this.services.request(PUT_OFFER, body);
  }
}
