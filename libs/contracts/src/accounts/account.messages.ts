import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsBoolean,
  IsArray,
  IsEnum,
  IsIn,
  IsInt,
  IsISO31661Alpha2,
  IsISO4217CurrencyCode,
  IsISO8601,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { OrdersApiVersion, Region } from '../common/enums';
import { replyOf, requestContract } from '../common/message-contract';
import { IdRequest, PageQuery, queryBoolean, queryInteger } from '../common/page-query';
import type { Page } from '../common/rpc-error';

const MARKETPLACE_ID = /^[A-Z0-9]{8,20}$/;
const DOMAIN = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63}$/;
const URL_OPTIONS = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

/** A sealed secret (SecretBox's stored form): never the secret itself. */
const SEALED = /^v2:[0-9a-f]{8}:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]*$/;
const SEALED_MESSAGE = { message: 'must be a secret sealed by the gateway' };

/** An account without its secrets: shared by the HTTP body and the NATS message. */
export class AccountFields {
  /** @example "Amazon EU shop" */
  @IsString() @MinLength(1) @MaxLength(200) name: string;
  @IsString() @Matches(/^[A-Z0-9]{6,20}$/, { message: 'sellerId must be an Amazon merchant token (6 to 20 capitals and digits)' })
  /** @example "A2EUQ1WTGCTBG2" */
  sellerId: string;
  @IsEnum(Region) region: Region;
  /** @example "amzn1.application-oa2-client.0123456789abcdef" */
  @IsString() @MinLength(1) @MaxLength(500) lwaClientId: string;
  @ArrayMinSize(1) @ArrayMaxSize(30) @ArrayUnique() @Matches(MARKETPLACE_ID, { each: true }) marketplaceIds: string[];
  @IsOptional() @IsEnum(OrdersApiVersion) ordersApi?: OrdersApiVersion;
  /** @example "https://sellingpartnerapi-eu.amazon.com" */
  @IsOptional() @IsUrl(URL_OPTIONS) apiEndpoint?: string;
  /** @example "https://api.amazon.com/auth/o2/token" */
  @IsOptional() @IsUrl(URL_OPTIONS) lwaEndpoint?: string;
  @IsOptional() @IsBoolean() syncEnabled?: boolean;
  /** @example 300 */
  @IsOptional() @Type(() => Number) @IsInt() @Min(60) @Max(86400) syncIntervalSeconds?: number;
  /** @example "2026-11-01T00:00:00.000Z" */
  @IsOptional() @IsISO8601({ strict: true }) initialSyncFrom?: string;
  /** When set, a new SKU that no product carries as internal reference maps to this product instead of creating a new one. */
  @IsOptional() @IsUUID() defaultProductId?: string;
  /** Stock to Amazon: send the available quantity of the account's FBM offers to Amazon (default off). */
  @IsOptional() @IsBoolean() stockSync?: boolean;
  /**
   * Units subtracted from the available quantity before it is sent (never below 0), against overselling.
   * @example 1
   */
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(100000) stockBuffer?: number;
  /**
   * Handling time in days, sent as Amazon's lead_time_to_ship_max_days (Amazon takes 0 to 30); null: not sent.
   * @example 2
   */
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(30) handlingTimeDays?: number | null;
}

/** `POST /api/accounts`: the secrets in plain text, over HTTPS to the gateway only. */
export class CreateAccountRequest extends AccountFields {
  /** @example "amzn1.oa2-cs.v1.0123456789abcdef" */
  @IsString() @MinLength(1) @MaxLength(500) lwaClientSecret: string;
  /** @example "Atzr|IwEBIA..." */
  @IsString() @MinLength(1) @MaxLength(2000) refreshToken: string;
}

/**
 * v2: the secrets travel sealed (the gateway seals them for order-ingestion with
 * CREDENTIALS_KEY; see accountTransitContext), so nothing on NATS can read them. v1 carried them
 * in plain text and is gone.
 */
export class CreateAccountMessage extends AccountFields {
  @Matches(SEALED, SEALED_MESSAGE) sealedClientSecret: string;
  @Matches(SEALED, SEALED_MESSAGE) sealedRefreshToken: string;
}
export const CREATE_ACCOUNT = requestContract({ subject: 'ingestion.accounts.create.v2', version: 2, payload: CreateAccountMessage, reply: replyOf<AccountView>() });

/**
 * The most accounts one import (POST /api/v1/accounts/import) takes. With the secrets of real
 * Amazon accounts (a refresh token of about 410 characters) 500 accounts make a NATS message of
 * about 520 KiB, within NATS's max_payload (1 MiB by default) with room to spare; an import whose
 * message would not fit (long secrets or endpoints) is refused whole (413) rather than cut.
 */
export const IMPORT_ACCOUNTS_MAX = 500;
/** The most an import's HTTP body may take (beyond GATEWAY_BODY_LIMIT when that is smaller): the sealed message is larger still. */
export const IMPORT_ACCOUNTS_BODY_LIMIT = '1mb';

/** `POST /api/v1/accounts/import`: accounts as POST /api/v1/accounts takes them, created together or not at all. */
export class ImportAccountsRequest {
  /** Each as `POST /api/v1/accounts` takes it; a failing field is named by its index (`accounts.2.sellerId`). */
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(IMPORT_ACCOUNTS_MAX) @ValidateNested({ each: true }) @Type(() => CreateAccountRequest) accounts: CreateAccountRequest[];
}

/** The import on its way to order-ingestion: every account's secrets sealed as for CREATE_ACCOUNT. */
export class ImportAccountsMessage {
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(IMPORT_ACCOUNTS_MAX) @ValidateNested({ each: true }) @Type(() => CreateAccountMessage) accounts: CreateAccountMessage[];
}

/** One account an import created. */
export class ImportedAccountView {
  /** Its place in the request's `accounts` (from 0). */
  index: number;
  /** @example "0190f5a4-7c1e-7b8a-9d2e-3f4a5b6c7d8e" */
  id: string;
  /** @example "Amazon EU shop" */
  name: string;
  /** @example "A2EUQ1WTGCTBG2" */
  sellerId: string;
  region: Region;
  /**
   * When its first sync falls due: an import's first syncs are 20 at a time a scheduler tick apart (see the README); null when its sync is off.
   * @example "2026-12-07T22:00:02.000Z"
   */
  firstSyncAt: string | null;
}

/** What an import created: every account of the request, in its order. */
export class ImportedAccountsView {
  /** @example 500 */
  created: number;
  accounts: ImportedAccountView[];
}
export const IMPORT_ACCOUNTS = requestContract({ subject: 'ingestion.accounts.import.v1', version: 1, payload: ImportAccountsMessage, reply: replyOf<ImportedAccountsView>() });

/** What a change to an account may touch, without its secrets. */
export class AccountChangeFields {
  @IsOptional() @IsString() @MinLength(1) @MaxLength(200) name?: string;
  @IsOptional() @IsString() @MinLength(1) @MaxLength(500) lwaClientId?: string;
  @IsOptional() @ArrayMinSize(1) @ArrayMaxSize(30) @ArrayUnique() @Matches(MARKETPLACE_ID, { each: true }) marketplaceIds?: string[];
  @IsOptional() @IsEnum(OrdersApiVersion) ordersApi?: OrdersApiVersion;
  @IsOptional() @IsUrl(URL_OPTIONS) apiEndpoint?: string;
  @IsOptional() @IsUrl(URL_OPTIONS) lwaEndpoint?: string;
  @IsOptional() @IsBoolean() syncEnabled?: boolean;
  @IsOptional() @Type(() => Number) @IsInt() @Min(60) @Max(86400) syncIntervalSeconds?: number;
  @IsOptional() @IsUUID() defaultProductId?: string;
  /** Stock to Amazon: send the available quantity of the account's FBM offers to Amazon (default off). */
  @IsOptional() @IsBoolean() stockSync?: boolean;
  /**
   * Units subtracted from the available quantity before it is sent (never below 0), against overselling.
   * @example 1
   */
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(100000) stockBuffer?: number;
  /**
   * Handling time in days, sent as Amazon's lead_time_to_ship_max_days (Amazon takes 0 to 30); null: not sent.
   * @example 2
   */
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(30) handlingTimeDays?: number | null;
}

/** `PATCH /api/accounts/:id`: new secrets in plain text, to the gateway only. */
export class UpdateAccountChanges extends AccountChangeFields {
  @IsOptional() @IsString() @MinLength(1) @MaxLength(500) lwaClientSecret?: string;
  @IsOptional() @IsString() @MinLength(1) @MaxLength(2000) refreshToken?: string;
}

/** v2: new secrets travel sealed, as for CREATE_ACCOUNT. */
export class AccountChangeMessage extends AccountChangeFields {
  @IsOptional() @Matches(SEALED, SEALED_MESSAGE) sealedClientSecret?: string;
  @IsOptional() @Matches(SEALED, SEALED_MESSAGE) sealedRefreshToken?: string;
}
export class UpdateAccountRequest {
  @IsUUID() id: string;
  @ValidateNested() @Type(() => AccountChangeMessage) changes: AccountChangeMessage;
}
export const UPDATE_ACCOUNT = requestContract({ subject: 'ingestion.accounts.update.v2', version: 2, payload: UpdateAccountRequest, reply: replyOf<AccountView>() });

/**
 * What a secret on its way from the gateway to order-ingestion is sealed with (as associated
 * data): the account it is for and the field, so a sealed value cannot be replayed into another
 * account or field.
 */
export function accountTransitContext(account: { sellerId: string; region: string } | { id: string }, field: 'clientSecret' | 'refreshToken'): string {
  const scope = 'id' in account ? `account/${account.id}` : `new-account/${account.region}/${account.sellerId}`;
  return `transit/${scope}/${field}`;
}

export const GET_ACCOUNT = requestContract({ subject: 'ingestion.accounts.get.v1', version: 1, payload: IdRequest, reply: replyOf<AccountView>() });
export const DELETE_ACCOUNT = requestContract({ subject: 'ingestion.accounts.delete.v1', version: 1, payload: IdRequest, reply: replyOf<AccountDeleted>() });
export interface AccountDeleted {
  id: string;
  deleted: true;
}
/**
 * GET /api/v1/accounts: every account not deleted, or only those an alert is about (the metrics
 * count them without naming them).
 */
export class ListAccountsRequest extends PageQuery {
  /**
   * Only accounts with sync on whose sync lag (now minus lastSyncedUntil, or initialSyncFrom before a first sync) is over this many seconds.
   * @example 3600
   */
  @IsOptional() @Transform(queryInteger) @IsInt() @Min(0) @Max(31_536_000) syncLagOverSeconds?: number;
  /** `true`: only accounts whose credentials Amazon refuses (their account.credentials_refused alert is open); `false`: only the others. */
  @IsOptional() @Transform(queryBoolean) @IsBoolean() credentialsRefused?: boolean;
}
export const LIST_ACCOUNTS = requestContract({ subject: 'ingestion.accounts.list.v1', version: 1, payload: ListAccountsRequest, reply: replyOf<Page<AccountView>>() });

/** What a sync run is doing: `queued` (asked for, waiting for a replica to take the account), `running`, then `succeeded` or `failed`. */
export const SYNC_RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;
export type SyncRunStatus = (typeof SYNC_RUN_STATUSES)[number];
/** What started a run: the account's interval, or a request (POST .../sync). */
export type SyncTrigger = 'schedule' | 'manual';

/**
 * A sync asked for, and the run that does it: a new run reserved as `queued` (it runs as soon as
 * the account's lease allows), the one already queued, or the one already running (then
 * `alreadyRunning`, and no second run is queued).
 */
export class SyncRequestedView {
  accountId: string;
  /**
   * The run that does the sync: follow it with GET /api/v1/accounts/{id}/sync-runs/{runId}.
   * @example "0193a5b2-6c1d-7e8f-9a0b-1c2d3e4f5a6b"
   */
  runId: string;
  /**
   * When the run was asked for: for a run already queued or running, when that run was asked for
   * (or, a scheduled one, started), not this request's time; the run's own `requestedAt`.
   * @example "2026-12-06T22:00:00.000Z"
   */
  requestedAt: string;
  /** The run's status when the request was answered. */
  status: 'queued' | 'running';
  /** True when a run of the account was already running: this is its id, and no second run is queued. */
  alreadyRunning: boolean;
}
export const SYNC_ACCOUNT = requestContract({ subject: 'ingestion.accounts.sync.v1', version: 1, payload: IdRequest, reply: replyOf<SyncRequestedView>() });
/** POST /api/v1/accounts/{id}/resync: read the account's orders again from `from` on. */
export class ResyncAccountBody {
  /**
   * Where the account's cursor goes back to: orders last updated since then are read again (unchanged ones change
   * nothing). Not in the future, not before the account's initialSyncFrom.
   * @example "2026-12-01T00:00:00Z"
   */
  @IsISO8601({ strict: true, strictSeparator: true }) from: string;
}
export class ResyncAccountRequest extends ResyncAccountBody {
  @IsUUID() id: string;
}
/** The resync asked for: the cursor as it now is, and the run that reads from it (queued behind a run under way, if one is). */
export class ResyncRequestedView extends SyncRequestedView {
  /**
   * The account's cursor after the resync: the next run reads orders updated since then (less the sync overlap).
   * @example "2026-12-01T00:00:00.000Z"
   */
  cursor: string;
  /**
   * The cursor before: where the sync had read up to.
   * @example "2026-12-06T21:58:00.000Z"
   */
  previousCursor: string | null;
}
export const RESYNC_ACCOUNT = requestContract({ subject: 'ingestion.accounts.resync.v1', version: 1, payload: ResyncAccountRequest, reply: replyOf<ResyncRequestedView>() });
export class ListSyncRunsRequest extends PageQuery {
  @IsUUID() accountId: string;
}
export const LIST_SYNC_RUNS = requestContract({ subject: 'ingestion.sync-runs.list.v1', version: 1, payload: ListSyncRunsRequest, reply: replyOf<Page<SyncRunView>>() });
/** One run of one account: another account's run is not found (404). */
export class GetSyncRunRequest {
  @IsUUID() accountId: string;
  @IsUUID() runId: string;
}
export const GET_SYNC_RUN = requestContract({ subject: 'ingestion.sync-runs.get.v1', version: 1, payload: GetSyncRunRequest, reply: replyOf<SyncRunView>() });
/** Runs across accounts (GET /api/v1/sync-runs), newest first. */
export class ListAllSyncRunsQuery extends PageQuery {
  /** Only runs in this state (`running`: what is syncing now, one run per account at most). */
  @IsOptional() @IsIn(SYNC_RUN_STATUSES) status?: SyncRunStatus;
  /** Only this account's runs. */
  @IsOptional() @IsUUID() accountId?: string;
}
export class SearchSyncRunsRequest extends ListAllSyncRunsQuery {
  /** The accounts the caller's API key is limited to (absent: every account). */
  @IsOptional() @IsArray() @ArrayMaxSize(1000) @IsUUID('all', { each: true }) accountIds?: string[];
}
export const SEARCH_SYNC_RUNS = requestContract({ subject: 'ingestion.sync-runs.search.v1', version: 1, payload: SearchSyncRunsRequest, reply: replyOf<Page<SyncRunView>>() });

/**
 * Internal: amazon-notifications asks for an account's SP-API access. The secrets travel
 * still encrypted (the services share CREDENTIALS_KEY), so no plaintext secret is on the wire.
 */
export const GET_ACCOUNT_ACCESS = requestContract({ subject: 'ingestion.accounts.access.v1', version: 1, payload: IdRequest, reply: replyOf<AccountAccess>() });
export interface AccountAccess {
  accountId: string;
  sellerId: string;
  region: Region;
  apiEndpoint: string;
  lwaEndpoint: string;
  lwaClientId: string;
  encryptedClientSecret: string;
  encryptedRefreshToken: string;
  /** The Orders API the account is read through (an unknown one: v2026-01-01, the default). */
  ordersApi?: OrdersApiVersion;
  /** Stock to Amazon (absent from an older order-ingestion: off). */
  marketplaceIds?: string[];
  stockSync?: boolean;
  stockBuffer?: number;
  handlingTimeDays?: number | null;
}

/**
 * Internal: amazon-notifications asks which of the accounts whose stock updates it holds `off`
 * have stock sync on now: one request and one query for them all, rather than an access read
 * per account every half minute (a cost that grew with the number of accounts, issue 18).
 */
export class StockSyncAccountsRequest {
  @IsArray() @ArrayMaxSize(1000) @IsUUID('all', { each: true }) accountIds: string[];
}
export interface StockSyncAccountsView {
  /** Those of the accounts asked about that exist and have stock sync on. */
  accountIds: string[];
}
/** A pure read: a request lost to a NATS blip is asked again, not left to the next half-minute recheck. */
export const STOCK_SYNC_ACCOUNTS = requestContract({
  subject: 'ingestion.accounts.stock-sync-on.v1',
  version: 1,
  payload: StockSyncAccountsRequest,
  reply: replyOf<StockSyncAccountsView>(),
  idempotent: true,
});

/** Whether Amazon sends the account's order changes (ORDER_CHANGE) to the connector's queue. */
export enum OrderNotificationsStatus {
  /** Notifications are off (no ORDER_NOTIFICATIONS_QUEUE_URL): polling only. */
  Off = 'off',
  /** Not subscribed yet (a new account, or sync off). */
  Pending = 'pending',
  Subscribed = 'subscribed',
  /** The last try failed (see lastError); it is tried again. Polling goes on at the account's interval. */
  Failed = 'failed',
  /** The account's sync is off (or it was deleted) and deleting its subscription at Amazon failed (see lastError); it is tried again. */
  Unsubscribing = 'unsubscribing',
}

/** The account's ORDER_CHANGE subscription. */
export class AccountOrderNotificationsView {
  status: OrderNotificationsStatus;
  subscriptionId: string | null;
  /** Why the last try failed (Amazon's status and code, or what else went wrong). */
  lastError: string | null;
  /** @example "2026-12-06T21:55:02.000Z" */
  subscribedAt: string | null;
  /** When the last notification of the account's orders was handled. @example "2026-12-06T22:01:13.000Z" */
  lastNotificationAt: string | null;
}

/** An account as the API shows it: the secrets are write-only and never appear. */
export class AccountView {
  /** @example "0190f5a4-7c1e-7b8a-9d2e-3f4a5b6c7d8e" */
  id: string;
  /** @example "Amazon EU shop" */
  name: string;
  /** @example "A2EUQ1WTGCTBG2" */
  sellerId: string;
  region: Region;
  lwaClientId: string;
  /** @example ["A1PA6795UKMFR9", "A13V1IB3VIYZZH"] */
  marketplaceIds: string[];
  ordersApi: OrdersApiVersion;
  /** @example "https://sellingpartnerapi-eu.amazon.com" */
  apiEndpoint: string;
  /** @example "https://api.amazon.com/auth/o2/token" */
  lwaEndpoint: string;
  syncEnabled: boolean;
  /** @example 300 */
  syncIntervalSeconds: number;
  /** @example "2026-11-01T00:00:00.000Z" */
  initialSyncFrom: string;
  defaultProductId: string | null;
  /** @example "2026-12-06T21:55:00.000Z" */
  lastSyncedUntil: string | null;
  /** Enabled after the account first synced; the next run reads their orders from initialSyncFrom. */
  marketplacesAwaitingBackfill: string[];
  /** Order changes within seconds: the account's ORDER_CHANGE subscription (shown on reads of the account and the list). */
  orderNotifications?: AccountOrderNotificationsView;
  /** Stock to Amazon: whether the available quantity of the account's FBM offers is sent to Amazon. */
  stockSync: boolean;
  /** @example 1 */
  stockBuffer: number;
  /** @example 2 */
  handlingTimeDays: number | null;
  /** @example "2026-11-01T09:30:00.000Z" */
  createdAt: string;
  /** @example "2026-12-06T21:55:02.000Z" */
  updatedAt: string;
}

/**
 * A sync run and its progress. While it runs its counts grow as it goes: written after every
 * committed page, and every few seconds while it waits (on Amazon's quota, say).
 */
export class SyncRunView {
  /** @example "0193a5b2-6c1d-7e8f-9a0b-1c2d3e4f5a6b" */
  id: string;
  accountId: string;
  trigger: 'schedule' | 'manual';
  /** `queued`: asked for, waiting for a replica to take the account; then `running`, `succeeded` or `failed`. */
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  /**
   * The order-ingestion replica running it (host, process and a random part); null while queued.
   * @example "ingestion-7f9c-1234-a1b2c3d4"
   */
  replica: string | null;
  /**
   * When it was asked for (a manual run) or started (a scheduled one).
   * @example "2026-12-06T21:54:58.000Z"
   */
  requestedAt: string;
  /**
   * The correlation id of the request that asked for it (POST .../sync, its `X-Correlation-Id` or the one the gateway
   * gave it), so the request's log lines lead to the run's (which carry the run's id); null for a scheduled run.
   * @example "trial-123"
   */
  requestCorrelationId: string | null;
  /**
   * Null while queued.
   * @example "2026-12-06T21:55:00.000Z"
   */
  startedAt: string | null;
  finishedAt: string | null;
  /**
   * The start of the window of Amazon's last-updated times it reads (the cursor less the overlap); null while queued.
   * @example "2026-12-06T21:45:00.000Z"
   */
  windowFrom: string | null;
  /** The window's end, fixed by Amazon's first page; null until then. */
  windowTo: string | null;
  /**
   * What it is doing now, while running: the steps of pages under way ("fetch page 4, commit page 3"), and which
   * operation waits for Amazon's quota. Null once it ended.
   * @example "fetch page 4, commit page 3; waiting for the searchOrders quota"
   */
  step: string | null;
  /**
   * Pages of orders read from Amazon so far.
   * @example 4
   */
  pagesFetched: number;
  /**
   * Pages written (each in one transaction) so far.
   * @example 3
   */
  pagesCommitted: number;
  /**
   * Orders read so far (each counted once per page it came in).
   * @example 120
   */
  ordersSeen: number;
  ordersCreated: number;
  ordersUpdated: number;
  ordersUnchanged: number;
  ordersQuarantined: number;
  /**
   * Calls to Amazon so far: SP-API calls and LWA token requests (`lwaToken`) alike, every try counted, as
   * `connector_amazon_requests_total` counts them.
   * @example 5
   */
  apiCalls: number;
  /** Calls Amazon refused for its rate limits (429 QuotaExceeded) so far. */
  throttled: number;
  /**
   * Calls that waited for rate limits before going out (the client's token bucket per operation, Amazon's Retry-After).
   * @example 2
   */
  rateLimitWaits: number;
  /**
   * The time those waits took, in all, in seconds.
   * @example 178.6
   */
  rateLimitWaitSeconds: number;
  /** Why it failed (or what cut it short). */
  errors: string[];
}

/** v2: a page ({ items, nextCursor }); v1 answered a bare array. */
export class ListMarketplacesRequest extends PageQuery {}
export const LIST_MARKETPLACES = requestContract({ subject: 'ingestion.marketplaces.list.v2', version: 2, payload: ListMarketplacesRequest, reply: replyOf<Page<MarketplaceView>>() });
export class CreateMarketplaceRequest {
  @Matches(MARKETPLACE_ID, { message: 'marketplaceId must be 8 to 20 capitals and digits' }) marketplaceId: string;
  /** @example "Amazon.se" */
  @IsString() @MinLength(1) @MaxLength(100) name: string;
  // Capitals, as Amazon writes them, and a code that exists (so "UK" is refused: it is GB).
  @Matches(/^[A-Z]{2}$/, { message: 'countryCode must be an ISO 3166-1 alpha-2 code' })
  @IsISO31661Alpha2({ message: 'countryCode must be an ISO 3166-1 alpha-2 code' })
  /** @example "SE" */
  countryCode: string;
  @IsEnum(Region) region: Region;
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code' })
  @IsISO4217CurrencyCode({ message: 'currency must be an ISO 4217 code' })
  /** @example "SEK" */
  currency: string;
  // Labels of letters, digits and inner hyphens, and a top-level domain of letters. The pattern
  // has no two ways to match one text, so it runs in linear time on any input (no ReDoS).
  @IsString() @Length(4, 100) @Matches(DOMAIN, { message: 'domain must be a host name such as amazon.se' }) domain: string;
  /** @example true */
  @IsBoolean() taxIncluded: boolean;
}
export const CREATE_MARKETPLACE = requestContract({ subject: 'ingestion.marketplaces.create.v1', version: 1, payload: CreateMarketplaceRequest, reply: replyOf<MarketplaceView>() });
export class MarketplaceView {
  /** @example "A1PA6795UKMFR9" */
  marketplaceId: string;
  /** @example "Amazon.de" */
  name: string;
  /** @example "DE" */
  countryCode: string;
  region: Region;
  /** @example "EUR" */
  currency: string;
  /** @example "amazon.de" */
  domain: string;
  /** @example true */
  taxIncluded: boolean;
  builtIn: boolean;
}
