import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AmazonApiError } from '../sp-api/amazon-error';
import { dateParam, enumListParam, listParam, singleParam } from '../sp-api/params';
import { SpApiOperationName, type SpApiRequest } from '../sp-api/sp-api-operation.decorator';
import { FeedRecord, FeedService } from './feed.service';

function baseUrl(req: Request): string {
  return `${req.protocol}://${req.get('host')}`;
}

export function feedView(feed: FeedRecord) {
  return {
    feedId: feed.feedId,
    feedType: feed.feedType,
    marketplaceIds: feed.marketplaceIds,
    createdTime: feed.createdTime,
    processingStatus: feed.processingStatus,
    ...(feed.processingStartTime ? { processingStartTime: feed.processingStartTime } : {}),
    ...(feed.processingEndTime ? { processingEndTime: feed.processingEndTime } : {}),
    ...(feed.resultFeedDocumentId ? { resultFeedDocumentId: feed.resultFeedDocumentId } : {}),
  };
}

/** Feeds API 2021-06-30. */
@Controller('feeds/2021-06-30')
export class FeedsController {
  constructor(private readonly feeds: FeedService) {}

  @Post('documents')
  @HttpCode(201)
  @SpApiOperationName('createFeedDocument')
  createFeedDocument(@Req() req: SpApiRequest, @Body() body: { contentType?: unknown } | undefined) {
    if (typeof body?.contentType !== 'string' || !body.contentType.trim()) throw AmazonApiError.invalidInput('contentType is required.', 'contentType');
    const doc = this.feeds.createDocument(req.sellerId, body.contentType);
    return { feedDocumentId: doc.feedDocumentId, url: `${baseUrl(req)}/_sandbox/uploads/${encodeURIComponent(doc.feedDocumentId)}` };
  }

  @Get('documents/:feedDocumentId')
  @SpApiOperationName('getFeedDocument')
  getFeedDocument(@Req() req: SpApiRequest, @Param('feedDocumentId') id: string) {
    const doc = this.feeds.getDocument(id);
    if (!doc || doc.sellerId !== req.sellerId) throw AmazonApiError.notFound(`Feed document ${id} not found.`, id);
    return { feedDocumentId: doc.feedDocumentId, url: `${baseUrl(req)}/_sandbox/downloads/${encodeURIComponent(doc.feedDocumentId)}` };
  }

  @Post('feeds')
  @HttpCode(202)
  @SpApiOperationName('createFeed')
  createFeed(@Req() req: SpApiRequest, @Body() body: Record<string, unknown> | undefined) {
    const errors: { code: string; message: string; details: string }[] = [];
    if (typeof body?.feedType !== 'string' || !body.feedType) errors.push({ code: 'InvalidInput', message: 'feedType is required.', details: 'feedType' });
    const marketplaceIds = body?.marketplaceIds;
    if (!Array.isArray(marketplaceIds) || marketplaceIds.length === 0 || marketplaceIds.some((m) => typeof m !== 'string')) {
      errors.push({ code: 'InvalidInput', message: 'marketplaceIds must list at least one marketplace.', details: 'marketplaceIds' });
    }
    const docId = body?.inputFeedDocumentId;
    const doc = typeof docId === 'string' ? this.feeds.getDocument(docId) : undefined;
    if (!doc || doc.sellerId !== req.sellerId) errors.push({ code: 'InvalidInput', message: 'inputFeedDocumentId does not name a feed document of this seller.', details: 'inputFeedDocumentId' });
    if (errors.length) throw new AmazonApiError(400, errors);
    const feed = this.feeds.createFeed(req.sellerId, body!.feedType as string, marketplaceIds as string[], docId as string);
    return { feedId: feed.feedId };
  }

  /**
   * getFeeds: the seller's feeds, newest first, by type (required without nextToken), marketplace,
   * status and creation time (Amazon's default: the last 90 days), pageSize 1..100 (default 10).
   */
  @Get('feeds')
  @SpApiOperationName('getFeeds')
  getFeeds(@Req() req: SpApiRequest, @Query() query: Record<string, unknown>) {
    const token = singleParam(query.nextToken);
    const filters = token ? this.pageToken(token) : query;
    const feedTypes = listParam(filters.feedTypes);
    if (!feedTypes) throw AmazonApiError.invalidInput('feedTypes is required when nextToken is not given.', 'feedTypes');
    const marketplaceIds = listParam(filters.marketplaceIds);
    const statuses = enumListParam('processingStatuses', filters.processingStatuses, ['CANCELLED', 'DONE', 'FATAL', 'IN_PROGRESS', 'IN_QUEUE'] as const);
    const createdSince = dateParam('createdSince', singleParam(filters.createdSince)) ?? Date.now() - 90 * 86_400_000;
    const createdUntil = dateParam('createdUntil', singleParam(filters.createdUntil));
    const pageSize = Number(singleParam(filters.pageSize) ?? 10);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) throw AmazonApiError.invalidInput('pageSize must be 1 to 100.', 'pageSize');
    const offset = Number(filters.offset ?? 0);
    const found = this.feeds
      .list(req.sellerId)
      .filter((f) => feedTypes.includes(f.feedType))
      .filter((f) => !marketplaceIds || f.marketplaceIds.some((m) => marketplaceIds.includes(m)))
      .filter((f) => !statuses || statuses.includes(f.processingStatus))
      .filter((f) => Date.parse(f.createdTime) >= createdSince && (createdUntil === undefined || Date.parse(f.createdTime) < createdUntil))
      .reverse();
    const page = found.slice(offset, offset + pageSize);
    const more = offset + pageSize < found.length;
    const nextToken = more ? Buffer.from(JSON.stringify({ ...filters, nextToken: undefined, pageSize, offset: offset + pageSize })).toString('base64url') : undefined;
    return { feeds: page.map(feedView), ...(nextToken ? { nextToken } : {}) };
  }

  private pageToken(token: string): Record<string, unknown> {
    try {
      return JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    } catch {
      throw AmazonApiError.invalidInput('Invalid nextToken.', 'nextToken');
    }
  }

  @Get('feeds/:feedId')
  @SpApiOperationName('getFeed')
  getFeed(@Req() req: SpApiRequest, @Param('feedId') feedId: string) {
    const feed = this.feeds.getFeed(req.sellerId, feedId);
    if (!feed) throw AmazonApiError.notFound(`Feed ${feedId} not found.`, feedId);
    return feedView(feed);
  }
}

/** The sandbox's stand-in for S3 presigned URLs: upload feed contents, download reports. No SP-API token, as with S3. */
@Controller('_sandbox')
export class FeedDocumentStorageController {
  constructor(private readonly feeds: FeedService) {}

  @Put('uploads/:feedDocumentId')
  @HttpCode(200)
  upload(@Param('feedDocumentId') id: string, @Req() req: Request & { rawUpload?: Buffer }) {
    if (!this.feeds.upload(id, req.rawUpload ?? Buffer.alloc(0))) throw new NotFoundException(`Feed document ${id} not found`);
    return '';
  }

  @Get('downloads/:feedDocumentId')
  download(@Param('feedDocumentId') id: string, @Res() res: Response) {
    const doc = this.feeds.getDocument(id);
    if (!doc || !doc.content) throw new NotFoundException(`Feed document ${id} has no content`);
    res.status(200).type(doc.contentType).send(doc.content);
  }
}
