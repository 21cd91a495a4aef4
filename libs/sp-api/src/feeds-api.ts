import { gunzipSync } from 'node:zlib';
import { SpApiClient, SpApiError } from './sp-api-client';
import { retry } from '@connector/workers';

/** Feeds API 2021-06-30: what the connector needs to submit a feed and read its processing report. */

export const FEED_CONTENT_TYPE_XML = 'text/xml; charset=UTF-8';

export type FeedProcessingStatus = 'CANCELLED' | 'DONE' | 'FATAL' | 'IN_PROGRESS' | 'IN_QUEUE';

/** The statuses after which a feed changes no more. */
export const FINAL_FEED_STATUSES: readonly FeedProcessingStatus[] = ['DONE', 'FATAL', 'CANCELLED'];

export interface CreateFeedDocumentResponse {
  feedDocumentId: string;
  /** Presigned upload URL (S3 at Amazon); valid for five minutes. */
  url: string;
}

export interface FeedDocument {
  feedDocumentId: string;
  /** Presigned download URL; valid for five minutes. */
  url: string;
  compressionAlgorithm?: 'GZIP';
}

export interface CreateFeedSpecification {
  feedType: string;
  marketplaceIds: string[];
  inputFeedDocumentId: string;
  feedOptions?: Record<string, string>;
}

export interface Feed {
  feedId: string;
  feedType: string;
  marketplaceIds?: string[];
  createdTime: string;
  processingStatus: FeedProcessingStatus;
  processingStartTime?: string;
  processingEndTime?: string;
  resultFeedDocumentId?: string;
}

export interface FeedTransferOptions {
  /** Attempts for the upload or download itself (network errors, 5xx); default 3. */
  attempts?: number;
  timeoutMs?: number;
}

export function createFeedDocument(client: SpApiClient, contentType: string = FEED_CONTENT_TYPE_XML, options: { mayStart?: () => boolean } = {}): Promise<CreateFeedDocumentResponse> {
  return client.request<CreateFeedDocumentResponse>('createFeedDocument', 'POST', '/feeds/2021-06-30/documents', { body: { contentType }, mayStart: options.mayStart });
}

/**
 * Puts the feed's contents at the presigned URL createFeedDocument returned. The URL carries
 * its own authorisation (S3), so this is a plain PUT, outside the rate-limited SP-API path and
 * without an access token. The content type must be the one the document was created with.
 */
export async function uploadFeedDocument(
  url: string,
  content: string | Buffer,
  contentType: string = FEED_CONTENT_TYPE_XML,
  options: FeedTransferOptions = {},
): Promise<void> {
  const body = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  await transfer('uploadFeedDocument', options, async (signal) => {
    const response = await fetch(url, { method: 'PUT', headers: { 'content-type': contentType }, body, signal, redirect: 'manual' });
    // The answer's body is not kept: only its status says what went wrong.
    if (!response.ok) throw new SpApiError('uploadFeedDocument', response.status, `HTTP${response.status}`, 'the feed document upload was refused');
    await response.arrayBuffer().catch(() => undefined);
  });
}

export function createFeed(
  client: SpApiClient,
  specification: CreateFeedSpecification,
  options: { mayStart?: () => boolean; retryUnsure?: boolean; withoutQuotaWait?: boolean } = {},
): Promise<{ feedId: string }> {
  return client.request<{ feedId: string }>('createFeed', 'POST', '/feeds/2021-06-30/feeds', {
    body: specification,
    mayStart: options.mayStart,
    retryUnsure: options.retryUnsure,
    withoutQuotaWait: options.withoutQuotaWait,
  });
}

/**
 * Whether a failed createFeed may still have made the feed: its answer was lost (network,
 * timeout) or Amazon failed (5xx) after taking it, perhaps. A 4xx or 429 made none.
 */
export function feedMayExist(err: unknown): boolean {
  if (!(err instanceof SpApiError)) return true;
  return err.operation !== 'createFeed' ? false : err.status === 0 || err.status >= 500;
}

export interface GetFeedsParams {
  feedTypes: string[];
  marketplaceIds?: string[];
  processingStatuses?: FeedProcessingStatus[];
  /** ISO 8601; Amazon's default (and limit) is 90 days ago. */
  createdSince?: string;
}

/** getFeeds: every feed of the filters (following nextToken), newest first. Amazon's quota is tight (one per 45 s). */
export async function getFeeds(client: SpApiClient, params: GetFeedsParams, options: { withoutQuotaWait?: boolean; maxRetries?: number } = {}): Promise<Feed[]> {
  const feeds: Feed[] = [];
  let nextToken: string | undefined;
  do {
    const query = nextToken
      ? { nextToken }
      : { feedTypes: params.feedTypes, marketplaceIds: params.marketplaceIds, processingStatuses: params.processingStatuses, createdSince: params.createdSince, pageSize: 100 };
    const page = await client.request<{ feeds: Feed[]; nextToken?: string }>('getFeeds', 'GET', '/feeds/2021-06-30/feeds', { query, withoutQuotaWait: options.withoutQuotaWait, maxRetries: options.maxRetries });
    if (!Array.isArray(page?.feeds)) throw new SpApiError('getFeeds', 200, 'InvalidResponse', 'no feeds in the answer');
    feeds.push(...page.feeds);
    nextToken = page.nextToken || undefined;
  } while (nextToken);
  return feeds;
}

export function getFeed(client: SpApiClient, feedId: string): Promise<Feed> {
  return client.request<Feed>('getFeed', 'GET', `/feeds/2021-06-30/feeds/${encodeURIComponent(feedId)}`);
}

export function getFeedDocument(client: SpApiClient, feedDocumentId: string): Promise<FeedDocument> {
  return client.request<FeedDocument>('getFeedDocument', 'GET', `/feeds/2021-06-30/documents/${encodeURIComponent(feedDocumentId)}`);
}

/** Fetches a document from its presigned URL and inflates it when Amazon says it is GZIP-compressed. */
export async function downloadFeedDocument(document: FeedDocument, options: FeedTransferOptions = {}): Promise<string> {
  return transfer('downloadFeedDocument', options, async (signal) => {
    const response = await fetch(document.url, { method: 'GET', signal, redirect: 'manual' });
    if (!response.ok) throw new SpApiError('downloadFeedDocument', response.status, `HTTP${response.status}`, 'the feed document download was refused');
    const bytes = Buffer.from(await response.arrayBuffer());
    return (document.compressionAlgorithm === 'GZIP' ? gunzipSync(bytes) : bytes).toString('utf8');
  });
}

/** getFeedDocument and the download: the processing report of a finished feed, as text. */
export async function getFeedResultDocument(client: SpApiClient, resultFeedDocumentId: string, options: FeedTransferOptions = {}): Promise<string> {
  return downloadFeedDocument(await getFeedDocument(client, resultFeedDocumentId), options);
}

/**
 * The whole submission: a document, its upload and the feed. Returns the feedId and the
 * document id (the document is worth recording before createFeed is called).
 */
export async function submitFeed(
  client: SpApiClient,
  feed: { feedType: string; marketplaceIds: string[]; content: string; contentType?: string },
  hooks: {
    beforeCreateFeed?: (feedDocumentId: string) => Promise<void>;
    mayStart?: () => boolean;
    /** false: createFeed is not tried again after a failure that may have made the feed (see feedMayExist). */
    retryUnsure?: boolean;
    /** true: createFeed fails at once (QuotaSpentError) rather than wait for its quota (0.0083/s). */
    withoutQuotaWait?: boolean;
  } = {},
): Promise<{ feedId: string; feedDocumentId: string }> {
  const contentType = feed.contentType ?? FEED_CONTENT_TYPE_XML;
  const document = await createFeedDocument(client, contentType, { mayStart: hooks.mayStart });
  await uploadFeedDocument(document.url, feed.content, contentType);
  await hooks.beforeCreateFeed?.(document.feedDocumentId);
  const { feedId } = await createFeed(client, { feedType: feed.feedType, marketplaceIds: feed.marketplaceIds, inputFeedDocumentId: document.feedDocumentId }, {
    mayStart: hooks.mayStart,
    retryUnsure: hooks.retryUnsure,
    withoutQuotaWait: hooks.withoutQuotaWait,
  });
  return { feedId, feedDocumentId: document.feedDocumentId };
}

/** Between tries of a document upload or download: 250 ms, 500 ms, … */
const TRANSFER_BACKOFF = { baseMs: 250, maxMs: 15_000 };

async function transfer<T>(operation: string, options: FeedTransferOptions, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  return retry(
    async () => {
      try {
        return await work(AbortSignal.timeout(options.timeoutMs ?? 60_000));
      } catch (err) {
        throw err instanceof SpApiError ? err : new SpApiError(operation, 0, 'NetworkError', err?.cause?.code ?? err?.message ?? String(err));
      }
    },
    { attempts: options.attempts ?? 3, ...TRANSFER_BACKOFF, retriable: (err) => err instanceof SpApiError && err.retriable },
  );
}
