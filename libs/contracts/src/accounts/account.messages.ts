import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsBoolean,
  IsEnum,
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
import { PageQuery } from '../common/page-query';

const MARKETPLACE_ID = /^[A-Z0-9]{8,20}$/;
const DOMAIN = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63}$/;
const URL_OPTIONS = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

/** A sealed secret (SecretBox's stored form): never the secret itself. */
const SEALED = /^v2:[0-9a-f]{8}:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]*$/;
const SEALED_MESSAGE = { message: 'must be a secret sealed by the gateway' };

/** An account without its secrets: shared by the HTTP body and the NATS message. */
export class AccountFields {
  @IsString() @MinLength(1) @MaxLength(200) name: string;
  @IsString() @Matches(/^[A-Z0-9]{6,20}$/, { message: 'sellerId must be an Amazon merchant token (6 to 20 capitals and digits)' })
  sellerId: string;
  @IsEnum(Region) region: Region;
  @IsString() @MinLength(1) @MaxLength(500) lwaClientId: string;
  @ArrayMinSize(1) @ArrayMaxSize(30) @ArrayUnique() @Matches(MARKETPLACE_ID, { each: true }) marketplaceIds: string[];
  @IsOptional() @IsEnum(OrdersApiVersion) ordersApi?: OrdersApiVersion;
  @IsOptional() @IsUrl(URL_OPTIONS) apiEndpoint?: string;
  @IsOptional() @IsUrl(URL_OPTIONS) lwaEndpoint?: string;
  @IsOptional() @IsBoolean() syncEnabled?: boolean;
  @IsOptional() @Type(() => Number) @IsInt() @Min(60) @Max(86400) syncIntervalSeconds?: number;
  @IsOptional() @IsISO8601({ strict: true }) initialSyncFrom?: string;
  /** When set, an unknown SKU maps to this product instead of creating a new one. */
  @IsOptional() @IsUUID() defaultProductId?: string;
}

/** `POST /api/accounts`: the secrets in plain text, over HTTPS to the gateway only. */
export class CreateAccountRequest extends AccountFields {
  @IsString() @MinLength(1) @MaxLength(500) lwaClientSecret: string;
  @IsString() @MinLength(1) @MaxLength(2000) refreshToken: string;
}

/**
 * v2: the secrets travel sealed (the gateway seals them for order-ingestion with
 * CREDENTIALS_KEY; see accountTransitContext), so nothing on NATS can read them. v1 carried them
 * in plain text and is gone.
 */
export const CREATE_ACCOUNT = 'ingestion.accounts.create.v2';
export class CreateAccountMessage extends AccountFields {
  @Matches(SEALED, SEALED_MESSAGE) sealedClientSecret: string;
  @Matches(SEALED, SEALED_MESSAGE) sealedRefreshToken: string;
}

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
}

/** `PATCH /api/accounts/:id`: new secrets in plain text, to the gateway only. */
export class UpdateAccountChanges extends AccountChangeFields {
  @IsOptional() @IsString() @MinLength(1) @MaxLength(500) lwaClientSecret?: string;
  @IsOptional() @IsString() @MinLength(1) @MaxLength(2000) refreshToken?: string;
}

/** v2: new secrets travel sealed, as for CREATE_ACCOUNT. */
export const UPDATE_ACCOUNT = 'ingestion.accounts.update.v2';
export class AccountChangeMessage extends AccountChangeFields {
  @IsOptional() @Matches(SEALED, SEALED_MESSAGE) sealedClientSecret?: string;
  @IsOptional() @Matches(SEALED, SEALED_MESSAGE) sealedRefreshToken?: string;
}
export class UpdateAccountRequest {
  @IsUUID() id: string;
  @ValidateNested() @Type(() => AccountChangeMessage) changes: AccountChangeMessage;
}

/**
 * What a secret on its way from the gateway to order-ingestion is sealed with (as associated
 * data): the account it is for and the field, so a sealed value cannot be replayed into another
 * account or field.
 */
export function accountTransitContext(account: { sellerId: string; region: string } | { id: string }, field: 'clientSecret' | 'refreshToken'): string {
  const scope = 'id' in account ? `account/${account.id}` : `new-account/${account.region}/${account.sellerId}`;
  return `transit/${scope}/${field}`;
}

export const GET_ACCOUNT = 'ingestion.accounts.get.v1';
export const DELETE_ACCOUNT = 'ingestion.accounts.delete.v1';
export const LIST_ACCOUNTS = 'ingestion.accounts.list.v1';
export class ListAccountsRequest extends PageQuery {}

export const SYNC_ACCOUNT = 'ingestion.accounts.sync.v1';
/** A sync asked for: it runs as soon as the account's lease allows. */
export class SyncRequestedView {
  accountId: string;
  /** @example "2026-12-06T22:00:00.000Z" */
  requestedAt: string;
}
export const LIST_SYNC_RUNS = 'ingestion.sync-runs.list.v1';
export class ListSyncRunsRequest extends PageQuery {
  @IsUUID() accountId: string;
}

/**
 * Internal: amazon-notifications asks for an account's SP-API access. The secrets travel
 * still encrypted (the services share CREDENTIALS_KEY), so no plaintext secret is on the wire.
 */
export const GET_ACCOUNT_ACCESS = 'ingestion.accounts.access.v1';
export interface AccountAccess {
  accountId: string;
  sellerId: string;
  region: Region;
  apiEndpoint: string;
  lwaEndpoint: string;
  lwaClientId: string;
  encryptedClientSecret: string;
  encryptedRefreshToken: string;
}

/** An account as the API shows it: the secrets are write-only and never appear. */
export class AccountView {
  id: string;
  name: string;
  sellerId: string;
  region: Region;
  lwaClientId: string;
  marketplaceIds: string[];
  ordersApi: OrdersApiVersion;
  apiEndpoint: string;
  lwaEndpoint: string;
  syncEnabled: boolean;
  syncIntervalSeconds: number;
  initialSyncFrom: string;
  defaultProductId: string | null;
  lastSyncedUntil: string | null;
  /** Enabled after the account first synced; the next run reads their orders from initialSyncFrom. */
  marketplacesAwaitingBackfill: string[];
  createdAt: string;
  updatedAt: string;
}

export class SyncRunView {
  id: string;
  accountId: string;
  trigger: 'schedule' | 'manual';
  status: 'running' | 'succeeded' | 'failed';
  startedAt: string;
  finishedAt: string | null;
  windowFrom: string;
  windowTo: string | null;
  ordersSeen: number;
  ordersCreated: number;
  ordersUpdated: number;
  ordersUnchanged: number;
  ordersQuarantined: number;
  apiCalls: number;
  throttled: number;
  errors: string[];
}

/** v2: a page ({ items, nextCursor }); v1 answered a bare array. */
export const LIST_MARKETPLACES = 'ingestion.marketplaces.list.v2';
export class ListMarketplacesRequest extends PageQuery {}
export const CREATE_MARKETPLACE = 'ingestion.marketplaces.create.v1';
export class CreateMarketplaceRequest {
  @Matches(MARKETPLACE_ID, { message: 'marketplaceId must be 8 to 20 capitals and digits' }) marketplaceId: string;
  @IsString() @MinLength(1) @MaxLength(100) name: string;
  // Capitals, as Amazon writes them, and a code that exists (so "UK" is refused: it is GB).
  @Matches(/^[A-Z]{2}$/, { message: 'countryCode must be an ISO 3166-1 alpha-2 code' })
  @IsISO31661Alpha2({ message: 'countryCode must be an ISO 3166-1 alpha-2 code' })
  countryCode: string;
  @IsEnum(Region) region: Region;
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code' })
  @IsISO4217CurrencyCode({ message: 'currency must be an ISO 4217 code' })
  currency: string;
  // Labels of letters, digits and inner hyphens, and a top-level domain of letters. The pattern
  // has no two ways to match one text, so it runs in linear time on any input (no ReDoS).
  @IsString() @Length(4, 100) @Matches(DOMAIN, { message: 'domain must be a host name such as amazon.se' }) domain: string;
  @IsBoolean() taxIncluded: boolean;
}
export class MarketplaceView {
  marketplaceId: string;
  name: string;
  countryCode: string;
  region: Region;
  currency: string;
  domain: string;
  taxIncluded: boolean;
  builtIn: boolean;
}
