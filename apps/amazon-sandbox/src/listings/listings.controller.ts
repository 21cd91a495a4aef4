import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Req } from '@nestjs/common';
import { AmazonApiError } from '../sp-api/amazon-error';
import { listParam } from '../sp-api/params';
import { SpApiOperationName, type SpApiRequest } from '../sp-api/sp-api-operation.decorator';
import { SandboxClock } from '../store/sandbox-clock';
import { ListingIssue, ListingPatch, ListingStore } from './listing.store';

/** Listings Items API 2021-08-01: patchListingsItem (5 rps, burst 5). */
@Controller('listings/2021-08-01/items')
export class ListingsItemsController {
  constructor(
    private readonly listings: ListingStore,
    private readonly clock: SandboxClock,
  ) {}

  /**
   * A malformed request (no productType, no patches, an op or path the model does not allow, not
   * exactly one marketplace) is a 400 with Amazon's errors; a well-formed one answers 200 with
   * the submission, ACCEPTED or INVALID with issues (unknown SKU, a value its schema refuses).
   */
  @Patch(':sellerId/:sku')
  @SpApiOperationName('patchListingsItem')
  patch(@Req() req: SpApiRequest, @Param('sellerId') sellerId: string, @Param('sku') sku: string, @Query() query: Record<string, unknown>, @Body() body: Record<string, unknown> | undefined) {
    if (sellerId !== req.sellerId) throw AmazonApiError.unauthorized();
    const marketplaceIds = listParam(query.marketplaceIds);
    if (!marketplaceIds || marketplaceIds.length !== 1) throw AmazonApiError.invalidInput('marketplaceIds must name exactly one marketplace.', 'marketplaceIds');
    const malformed = this.listings.malformed(body?.productType, body?.patches);
    if (malformed) throw AmazonApiError.invalidInput(malformed, 'body');
    return this.listings.patch(sellerId, marketplaceIds[0], sku, body!.patches as ListingPatch[], 'patchListingsItem', this.clock.now());
  }
}

/** Control API of listings: seed them, read them, make a SKU fail. */
@Controller('_sandbox/listings')
export class ListingsControlController {
  constructor(
    private readonly listings: ListingStore,
    private readonly clock: SandboxClock,
  ) {}

  @Get()
  list(@Query('sellerId') sellerId?: string, @Query('sku') sku?: string, @Query('marketplaceId') marketplaceId?: string) {
    return { listings: this.listings.find({ sellerId, sku, marketplaceId }) };
  }

  /**
   * Lists SKUs for a seller: `{ sellerId, marketplaceIds, skus: [{ sku, quantity?, fulfillmentChannelCode? }] }`, a listing
   * per marketplace and SKU; `fulfillmentChannelCode` (`AMAZON_EU`, ...) makes it fulfilled by Amazon (default `DEFAULT`: merchant).
   */
  @Put()
  seed(@Body() body: { sellerId?: unknown; marketplaceIds?: unknown; skus?: unknown }) {
    const fields: string[] = [];
    if (typeof body?.sellerId !== 'string' || !body.sellerId) fields.push('sellerId');
    if (!Array.isArray(body?.marketplaceIds) || !body.marketplaceIds.length || body.marketplaceIds.some((m) => typeof m !== 'string')) fields.push('marketplaceIds');
    const skus = body?.skus as { sku?: unknown; quantity?: unknown; fulfillmentChannelCode?: unknown }[];
    if (
      !Array.isArray(skus) ||
      skus.some(
        (s) =>
          typeof s?.sku !== 'string' ||
          (s.quantity !== undefined && !Number.isInteger(s.quantity)) ||
          (s.fulfillmentChannelCode !== undefined && (typeof s.fulfillmentChannelCode !== 'string' || !s.fulfillmentChannelCode)),
      )
    )
      fields.push('skus');
    if (fields.length) throw AmazonApiError.invalidInput(`invalid: ${fields.join(', ')}`, fields.join(','));
    const made = (body.marketplaceIds as string[]).flatMap((marketplaceId) =>
      skus.map((s) => this.listings.upsert(body.sellerId as string, marketplaceId, s.sku as string, (s.quantity as number | undefined) ?? null, 'PRODUCT', this.clock.now(), (s.fulfillmentChannelCode as string | undefined) ?? 'DEFAULT')),
    );
    return { listings: made };
  }

  /** Amazon refuses every update of this SKU with the issue given (or a default one) until cleared. */
  @Post('failures')
  @HttpCode(201)
  fail(@Body() body: { sellerId?: unknown; sku?: unknown; issue?: Partial<ListingIssue> }) {
    if (typeof body?.sellerId !== 'string' || typeof body?.sku !== 'string') throw AmazonApiError.invalidInput('sellerId and sku are required.', 'sellerId,sku');
    return { issue: this.listings.failSku(body.sellerId, body.sku, body.issue) };
  }

  @Delete('failures')
  @HttpCode(200)
  clearFailures() {
    this.listings.clearFailures();
    return { cleared: true };
  }
}
