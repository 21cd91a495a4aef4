import { IsEnum, IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUrl, IsUUID, Matches, Max, MaxLength, Min, MinLength, ValidateIf } from 'class-validator';
import { OrdersApiVersion, Region } from '../common/enums';
import { eventContract, replyOf, requestContract } from '../common/message-contract';
import { IdRequest } from '../common/page-query';

/**
 * The sandbox's registered application, the development default of the app settings: `npm start`
 * and the tests register it at their sandbox. Production refuses its client secret.
 */
export const DEVELOPMENT_SPAPI_APP = {
  applicationId: 'amzn1.sp.solution.00000000-0000-4000-8000-0000000000de',
  clientId: 'amzn1.application-oa2-client.development',
  clientSecret: 'development-app-client-secret',
} as const;

const URL_OPTIONS = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };
/** A sealed secret (SecretBox's stored form): never the secret itself. */
const SEALED = /^v2:[0-9a-f]{8}:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]*$/;

/**
 * `POST /api/v1/authorizations`: start "Link with Amazon". Either a new link (`region`; the
 * account is made, or found by the seller who consents) or the re-authorization of an account
 * (`accountId`: its region and endpoints, and only its own seller may consent).
 */
export class CreateAuthorizationRequest {
  /** Seller Central of this region asks the seller's consent. Required without accountId. */
  @ValidateIf((o: CreateAuthorizationRequest) => o.accountId === undefined || o.region !== undefined) @IsEnum(Region) region?: Region;
  /** Re-authorize this account: its refresh token is replaced by the new one. */
  @IsOptional() @IsUUID() accountId?: string;
  /**
   * The new account's name (default: `Amazon <sellerId>`).
   * @example "Amazon EU shop"
   */
  @IsOptional() @IsString() @MinLength(1) @MaxLength(200) name?: string;
  @IsOptional() @IsEnum(OrdersApiVersion) ordersApi?: OrdersApiVersion;
  /** The new account's SP-API base URL (default: Amazon's of the region; else one named in AMAZON_ALLOWED_ENDPOINTS). */
  @IsOptional() @IsUrl(URL_OPTIONS) apiEndpoint?: string;
  /** Where the code is exchanged and the account's tokens come from (default: Amazon's LWA). */
  @IsOptional() @IsUrl(URL_OPTIONS) lwaEndpoint?: string;
  /**
   * Only this seller (Amazon merchant token) may consent: another seller's consent is refused
   * before its code is exchanged. Without it, a new link starts with its sync off until an admin
   * turns it on (whoever opens the consent URL could link their own seller account).
   * @example "A2EUQ1WTGCTBG2"
   */
  @IsOptional() @Matches(/^[A-Z0-9]{6,20}$/, { message: 'expectedSellerId must be an Amazon merchant token' }) expectedSellerId?: string;
  /**
   * The marketplace the seller signs in to Seller Central for (one of the connector's marketplaces
   * in the region): it chooses the consent page (Japan, Australia and Singapore each have their own
   * Seller Central). Default: the re-authorized account's first marketplace, else the region's.
   * @example "A39IBJ37TRP1C6"
   */
  @IsOptional() @IsString() @MinLength(1) @MaxLength(20) marketplaceId?: string;
}

/** What the gateway asks order-ingestion: the request and the API key that made it (for the audit of the callback). */
export class CreateAuthorizationMessage extends CreateAuthorizationRequest {
  /** The API key's id (null: a key of GATEWAY_API_KEYS). */
  @IsOptional() @IsUUID() requestedByKeyId?: string | null;
  @IsString() @MinLength(1) @MaxLength(200) requestedByKeyName: string;
}

/** A consent to ask for: send the seller's browser to `consentUrl`. */
export class AuthorizationView {
  /** @example "0193a5b2-6c1d-7e8f-9a0b-1c2d3e4f5a6b" */
  authorizationId: string;
  /**
   * Seller Central's consent page for the app, with the state.
   * @example "https://sellercentral-europe.amazon.com/apps/authorize/consent?application_id=amzn1.sp.solution.…&state=…&version=beta"
   */
  consentUrl: string;
  /** Signed, single-use; Amazon hands it back to the callback. */
  state: string;
  /**
   * After this the state is refused: start again.
   * @example "2026-12-07T12:10:00.000Z"
   */
  expiresAt: string;
  region: Region;
  /** The account re-authorized, when one was named. */
  accountId: string | null;
  /** The only seller who may consent (the account's, on a re-authorization), or null: any seller. */
  expectedSellerId: string | null;
}
export const CREATE_AUTHORIZATION = requestContract({ subject: 'ingestion.authorizations.create.v1', version: 1, payload: CreateAuthorizationMessage, reply: replyOf<AuthorizationView>() });

/** What Amazon sends the seller's browser back with (`GET /api/v1/authorizations/callback`). */
export class AuthorizationCallbackQuery {
  @IsString() @MinLength(1) @MaxLength(500) state: string;
  /** @example "A2EUQ1WTGCTBG2" */
  @Matches(/^[A-Z0-9]{6,20}$/, { message: 'selling_partner_id must be an Amazon merchant token' }) selling_partner_id: string;
  @IsString() @MinLength(1) @MaxLength(1000) spapi_oauth_code: string;
  /** Sent for hybrid (MWS) apps only; ignored. */
  @IsOptional() @IsString() @MaxLength(1000) mws_auth_token?: string;
}

/** The callback, for order-ingestion: the code sealed for it (CREDENTIALS_TRANSIT_KEY, see authorizationCodeTransitContext). */
export class CompleteAuthorizationRequest {
  @IsString() @MinLength(1) @MaxLength(500) state: string;
  @Matches(/^[A-Z0-9]{6,20}$/) sellingPartnerId: string;
  @Matches(SEALED, { message: 'must be a secret sealed by the gateway' }) sealedCode: string;
}

/** What the authorization code travels sealed with: bound to the state it came back with. */
export function authorizationCodeTransitContext(state: string): string {
  return `transit/authorization/${state}/code`;
}

/**
 * What the seller's browser is answered (the callback is open, without an API key): the least that
 * says the link was made. The account itself is seen with an API key (GET /api/v1/accounts/{id}).
 */
export class AuthorizationCompletedView {
  authorizationId: string;
  /** True: a new account; false: an existing account's refresh token was replaced. */
  created: boolean;
  accountId: string;
}
export const COMPLETE_AUTHORIZATION = requestContract({ subject: 'ingestion.authorizations.complete.v1', version: 1, payload: CompleteAuthorizationRequest, reply: replyOf<AuthorizationCompletedView>() });

/**
 * A seller's consent linked an account: published by order-ingestion in the link's transaction, so
 * the gateway audits it under the key that asked for the consent URL even when the callback's
 * answer never reached it (a timeout, a restart). Never the code or a token.
 */
export class AuthorizationCompletedEvent {
  @IsUUID() authorizationId: string;
  @IsUUID() accountId: string;
  @IsIn([true, false]) created: boolean;
  @Matches(/^[A-Z0-9]{6,20}$/) sellingPartnerId: string;
  /** The API key that asked for the consent URL (null: a key of GATEWAY_API_KEYS). */
  @IsOptional() @IsUUID() requestedByKeyId: string | null;
  @IsString() @MinLength(1) @MaxLength(200) requestedByKeyName: string;
  @IsISO8601() completedAt: string;
}
export const AUTHORIZATION_COMPLETED = eventContract({ subject: 'authorization.completed.v1', version: 1, payload: AuthorizationCompletedEvent });

/**
 * A callback order-ingestion refused (a wrong, expired or used state, another seller's consent,
 * Login with Amazon refusing the code, ...), committed with the refusal: the gateway audits it as it
 * audits a link, under the key that asked for the consent URL when the state was one of ours (else
 * under no key). Never the code, a token or the state itself.
 */
export class AuthorizationRefusedEvent {
  /** Null: the state named no authorization of this connector. */
  @IsOptional() @IsUUID() authorizationId: string | null;
  @IsOptional() @Matches(/^[A-Z0-9]{6,20}$/) sellingPartnerId: string | null;
  @IsString() @MinLength(1) @MaxLength(500) reason: string;
  /** What the callback answered. */
  @IsInt() @Min(400) @Max(599) statusCode: number;
  @IsOptional() @IsUUID() requestedByKeyId: string | null;
  @IsOptional() @IsString() @MinLength(1) @MaxLength(200) requestedByKeyName: string | null;
  @IsISO8601() refusedAt: string;
}
export const AUTHORIZATION_REFUSED = eventContract({ subject: 'authorization.refused.v1', version: 1, payload: AuthorizationRefusedEvent });

/** A marketplace the seller takes part in, as the Sellers API last said, and whether the account syncs it. */
export class AccountMarketplaceView {
  /** @example "A1PA6795UKMFR9" */
  marketplaceId: string;
  /** @example "DE" */
  countryCode: string;
  /** @example "Amazon.de" */
  name: string;
  /** @example "EUR" */
  currency: string;
  /** @example "www.amazon.de" */
  domain: string;
  /** The seller's store name there. */
  storeName: string;
  /** Amazon's isParticipating: the seller sells there. */
  active: boolean;
  isParticipating: boolean;
  /** Amazon's hasSuspendedListings: listings inactive (holiday mode, say); orders may still come. */
  hasSuspendedListings: boolean;
  /** In the account's marketplaceIds: its orders are synced. */
  enabled: boolean;
  /** In the connector's marketplaces (GET /api/v1/marketplaces): only those can be enabled. */
  known: boolean;
  /** @example "2026-12-07T09:00:00.000Z" */
  firstSeenAt: string;
}

export class AccountMarketplacesView {
  accountId: string;
  items: AccountMarketplaceView[];
  /**
   * The last answer of the Sellers API; null: not asked yet.
   * @example "2026-12-07T09:00:00.000Z"
   */
  refreshedAt: string | null;
  /** When it is asked next. */
  nextRefreshAt: string | null;
  /** Why the last refresh failed (it is tried again), else null. */
  lastError: string | null;
}
export const LIST_ACCOUNT_MARKETPLACES = requestContract({ subject: 'ingestion.accounts.marketplaces.list.v1', version: 1, payload: IdRequest, reply: replyOf<AccountMarketplacesView>() });
export const REFRESH_ACCOUNT_MARKETPLACES = requestContract({ subject: 'ingestion.accounts.marketplaces.refresh.v1', version: 1, payload: IdRequest, reply: replyOf<AccountMarketplacesView>() });

