import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  AUTHORIZATION_COMPLETED,
  AUTHORIZATION_REFUSED,
  authorizationCodeTransitContext,
  AuthorizationCompletedView,
  AuthorizationView,
  CompleteAuthorizationRequest,
  CreateAuthorizationMessage,
  OrdersApiVersion,
  Region,
} from '@connector/contracts';
import { accountSecretContext, SecretBox, SETTINGS, ServiceError, TransitSecrets } from '@connector/platform';
import { newRowId } from '@connector/persistence';
import { AmazonEndpoints, exchangeAuthorizationCode, REGION_ENDPOINTS, SpApiError } from '@connector/sp-api';
import { Outbox } from '@connector/messaging';
import { housekeeping, PeriodicWorker, returnedRows } from '@connector/workers';
import { EntityManager, IsNull, Repository } from 'typeorm';
import { AccountsService, DEFAULT_BACKFILL_DAYS, newAccountSyncState } from '../accounts/accounts.service';
import { SellerAccount } from '../accounts/seller-account.entity';
import { OrderIngestionSettings } from '../order-ingestion.settings';
import { MarketplaceRefresh } from '../participations/marketplace-participation.entity';
import { MarketplacesService } from '../marketplaces/marketplaces.service';
import { ParticipationsRefresher } from '../participations/participations.refresher';
import { AuthorizationStateSigner } from './authorization-state';
import { Authorization } from './authorization.entity';
import { ConsentUrls } from './consent-urls';

const STATE_FIELD = 'state';
/**
 * An authorization is kept this long after its state expired (a reload of a used state within it
 * still says whether it linked the account), then pruned: the audit log keeps the history.
 */
export const AUTHORIZATIONS_KEPT_DAYS = 7;

/** Deletes the authorizations whose state expired more than AUTHORIZATIONS_KEPT_DAYS ago, used or not; answers how many. */
export async function pruneAuthorizations(manager: EntityManager): Promise<number> {
  const result: unknown = await manager.query(`delete from authorizations where expires_at < now() - make_interval(days => $1) returning id`, [AUTHORIZATIONS_KEPT_DAYS]);
  return returnedRows(result).length;
}

/**
 * Link with Amazon, the website authorization workflow: a consent URL with a signed, single-use
 * state; then Amazon's callback, whose code is exchanged at LWA for the seller's refresh token,
 * which makes the account (or replaces the token of the seller's account).
 */
@Injectable()
export class AuthorizationsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Authorizations');
  private pruning?: PeriodicWorker;
  private readonly signer: AuthorizationStateSigner;
  private readonly consent: ConsentUrls;

  constructor(
    @InjectRepository(Authorization) private readonly authorizations: Repository<Authorization>,
    private readonly accounts: AccountsService,
    private readonly marketplaces: MarketplacesService,
    private readonly refresher: ParticipationsRefresher,
    private readonly outbox: Outbox,
    @Inject(SecretBox) private readonly secrets: SecretBox,
    private readonly transit: TransitSecrets,
    @Inject(AmazonEndpoints) private readonly allowedEndpoints: AmazonEndpoints,
    @Inject(SETTINGS) private readonly settings: OrderIngestionSettings,
  ) {
    this.signer = new AuthorizationStateSigner(settings.AUTHORIZATION_STATE_KEY);
    this.consent = ConsentUrls.fromSetting(settings.SPAPI_CONSENT_BASE_URL);
  }

  onApplicationBootstrap(): void {
    const manager = () => this.authorizations.manager;
    this.pruning = housekeeping('authorizations pruning', () => manager().connection, () => pruneAuthorizations(manager()), (message) => this.logger.warn(message));
    this.pruning.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.pruning?.stop();
  }

  async create(request: CreateAuthorizationMessage): Promise<AuthorizationView> {
    this.checkEnabled();
    const account = request.accountId ? await this.accounts.get(request.accountId) : undefined;
    if (account && request.region && request.region !== account.region) {
      throw ServiceError.badRequest('Validation failed', [{ field: 'region', errors: [`region must be the account's (${account.region}) or left out`] }]);
    }
    if (account && (request.apiEndpoint || request.lwaEndpoint)) {
      throw ServiceError.badRequest('Validation failed', [{ field: request.apiEndpoint ? 'apiEndpoint' : 'lwaEndpoint', errors: ['the endpoints of an account are changed with PATCH /api/v1/accounts/{id}, not here'] }]);
    }
    const region = (account?.region ?? request.region) as Region;
    const endpoints = account
      ? { apiEndpoint: account.apiEndpoint, lwaEndpoint: account.lwaEndpoint }
      : { apiEndpoint: request.apiEndpoint ?? REGION_ENDPOINTS[region].apiEndpoint, lwaEndpoint: request.lwaEndpoint ?? REGION_ENDPOINTS[region].lwaEndpoint };
    if (account && request.expectedSellerId && request.expectedSellerId !== account.sellerId) {
      throw ServiceError.badRequest('Validation failed', [{ field: 'expectedSellerId', errors: [`account ${account.id} is seller ${account.sellerId}: only its own seller may consent`] }]);
    }
    const problems = this.allowedEndpoints.problems(region, endpoints);
    if (problems.length) throw ServiceError.badRequest('Validation failed', problems);
    const countryCode = await this.consentCountry(region, request.marketplaceId ?? account?.marketplaceIds[0], request.marketplaceId !== undefined);
    const expectedSellerId = account?.sellerId ?? request.expectedSellerId ?? null;
    const id = newRowId();
    const expiresAt = new Date(Date.now() + this.settings.AUTHORIZATION_STATE_TTL_SECONDS * 1000);
    await this.authorizations.insert({
      id,
      region,
      accountId: account?.id ?? null,
      name: request.name ?? null,
      ordersApi: request.ordersApi ?? null,
      ...endpoints,
      expectedSellerId,
      requestedByKeyId: request.requestedByKeyId ?? null,
      requestedByKeyName: request.requestedByKeyName,
      expiresAt,
    });
    const state = this.signer.sign(id, expiresAt);
    const consentUrl = this.consent.consentUrl(region, {
      applicationId: this.settings.SPAPI_APP_ID,
      state,
      redirectUri: this.settings.SPAPI_APP_REDIRECT_URI,
      draft: this.settings.SPAPI_APP_DRAFT === 'yes',
      countryCode,
    });
    return { authorizationId: id, consentUrl, state, expiresAt: expiresAt.toISOString(), region, accountId: account?.id ?? null, expectedSellerId };
  }

  /** The country whose Seller Central asks the consent: the named marketplace's (one of the region's), else the account's first one's. */
  private async consentCountry(region: Region, marketplaceId: string | undefined, named: boolean): Promise<string | undefined> {
    if (!marketplaceId) return undefined;
    const [marketplace] = await this.marketplaces.findMany([marketplaceId]);
    if (marketplace?.region === region) return marketplace.countryCode;
    if (!named) return undefined;
    const why = marketplace ? `marketplace ${marketplaceId} is in region ${marketplace.region}, not ${region}` : `marketplace ${marketplaceId} is not one of the connector's (GET /api/v1/marketplaces)`;
    throw ServiceError.badRequest('Validation failed', [{ field: 'marketplaceId', errors: [why] }]);
  }

  /**
   * Amazon's callback. A wrong, expired or used state changes nothing; the code is never logged.
   * Every refusal is audited like a link (AUTHORIZATION_REFUSED, committed with the authorization's
   * failure when there is one).
   */
  async complete(request: CompleteAuthorizationRequest): Promise<AuthorizationCompletedView> {
    this.checkEnabled();
    const verified = this.signer.verify(request.state);
    if ('refused' in verified) {
      this.logger.warn(`authorization callback refused: ${verified.refused === 'expired' ? 'its state expired' : 'a state this connector did not give'}`);
      // An expired state's signature held: the authorization it names is ours (and says who asked for it).
      const named = verified.refused === 'expired' ? await this.authorizations.findOneBy({ id: request.state.split('.')[0] }) : null;
      throw await this.refuse(request, named, refusedState(verified.refused === 'expired' ? 'the state has expired: start Link with Amazon again' : 'the state is not one this connector gave: start Link with Amazon again'));
    }
    const authorization = await this.claim(verified.authorizationId, request);
    let code: string;
    try {
      code = this.transit.decrypt(request.sealedCode, authorizationCodeTransitContext(request.state));
    } catch {
      throw await this.refuse(request, authorization, ServiceError.badRequest('Validation failed', [{ field: 'spapi_oauth_code', errors: ['spapi_oauth_code did not arrive sealed for this state (the gateway and order-ingestion must share CREDENTIALS_TRANSIT_KEY)'] }]), 'the code did not arrive sealed for this state');
    }
    const bound = authorization.accountId ? await this.accounts.get(authorization.accountId).catch(() => undefined) : undefined;
    if (authorization.accountId && !bound) {
      throw await this.refuse(request, authorization, ServiceError.notFound(`account ${authorization.accountId} not found`), 'the account was removed');
    }
    if (bound && bound.sellerId !== request.sellingPartnerId) {
      throw await this.refuse(
        request,
        authorization,
        ServiceError.badRequest('Validation failed', [{ field: 'selling_partner_id', errors: [`seller ${request.sellingPartnerId} consented, but account ${bound.id} is seller ${bound.sellerId}: nothing was changed`] }]),
        `seller ${request.sellingPartnerId} consented, not the account's ${bound.sellerId}`,
      );
    }
    // Before the code is exchanged: another seller's consent gives the connector no token at all.
    if (!bound && authorization.expectedSellerId && authorization.expectedSellerId !== request.sellingPartnerId) {
      throw await this.refuse(
        request,
        authorization,
        ServiceError.badRequest('Validation failed', [{ field: 'selling_partner_id', errors: [`seller ${request.sellingPartnerId} consented, but this consent was for seller ${authorization.expectedSellerId}: nothing was changed`] }]),
        `seller ${request.sellingPartnerId} consented, not the expected ${authorization.expectedSellerId}`,
      );
    }
    let refreshToken: string;
    try {
      ({ refreshToken } = await exchangeAuthorizationCode({
        lwaEndpoint: authorization.lwaEndpoint,
        code,
        redirectUri: this.settings.SPAPI_APP_REDIRECT_URI,
        clientId: this.settings.SPAPI_APP_CLIENT_ID,
        clientSecret: this.settings.SPAPI_APP_CLIENT_SECRET,
        endpoints: this.allowedEndpoints,
      }));
    } catch (err) {
      // LWA's status and error code only: its description may quote what was sent (the code), and this reason is
      // logged, kept on the authorization and audited. A network failure's message is its cause (ECONNREFUSED...).
      const reason = err instanceof SpApiError ? `${err.status || 'network'} ${err.code}${err.status ? '' : `: ${err.message}`}` : String(err?.message ?? err);
      this.logger.warn(`authorization ${authorization.id} of seller ${request.sellingPartnerId}: LWA did not exchange the code (${reason})`);
      const answer =
        err instanceof SpApiError && err.status >= 400 && err.status < 500
          ? ServiceError.badRequest(`Amazon refused the authorization code (${err.code}): start Link with Amazon again`, [{ field: 'spapi_oauth_code', errors: [`refused by Login with Amazon: ${err.code}`] }])
          : new ServiceError({ statusCode: 503, error: 'Service Unavailable', message: `Login with Amazon could not be reached (${reason}): start Link with Amazon again` });
      throw await this.refuse(request, authorization, answer, `LWA refused the code: ${reason}`);
    }
    const { account, created } = await this.link(authorization, request.sellingPartnerId, refreshToken, bound);
    this.logger.log(`authorization ${authorization.id}: seller ${request.sellingPartnerId} linked as account ${account.id} (${created ? 'created' : 'refresh token replaced'})`);
    // Its marketplaces are asked by the refresher, not here: the Sellers API's quota (one call a
    // minute once the burst is spent) would keep the seller's browser waiting past the gateway's patience.
    this.refresher.kick();
    return { authorizationId: authorization.id, created, accountId: account.id };
  }

  /** Uses the state up, once: a second callback with it (or a concurrent one) finds it used. */
  private async claim(id: string, request: CompleteAuthorizationRequest): Promise<Authorization> {
    const result: unknown = await this.authorizations.query(
      `update authorizations set used_at = now(), selling_partner_id = $2 where id = $1 and used_at is null and expires_at > now() returning id`,
      [id, request.sellingPartnerId],
    );
    const found = await this.authorizations.findOneBy({ id });
    if (returnedRows(result).length && found) return found;
    // Gone: never ours, or pruned long after it expired.
    if (!found) throw await this.refuse(request, null, refusedState('the state is not one this connector gave: start Link with Amazon again'));
    this.logger.warn(`authorization ${id} refused: its state was ${found.usedAt ? 'used already' : 'expired'}`);
    if (!found.usedAt) throw await this.refuse(request, found, refusedState('the state has expired: start Link with Amazon again'));
    // A reload after an answer that never arrived: say whether that first use linked the account.
    const outcome = found.outcome === 'created' || found.outcome === 'updated' ? 'its consent linked the account (see GET /api/v1/accounts)' : found.outcome === 'failed' ? 'its consent linked nothing: start Link with Amazon again' : 'start Link with Amazon again';
    throw await this.refuse(request, found, refusedState(`the state was used already: ${outcome}`));
  }

  /**
   * A refused callback, in one transaction: the authorization's failure (when `failure` is given: it
   * was claimed by this callback) and the event the gateway audits it from. Answers the error to throw.
   */
  private async refuse(request: CompleteAuthorizationRequest, authorization: Authorization | null, answer: ServiceError, failure?: string): Promise<ServiceError> {
    await this.authorizations.manager.transaction(async (manager) => {
      if (authorization && failure) await manager.update(Authorization, { id: authorization.id }, { outcome: 'failed', failure: failure.slice(0, 500) });
      await this.outbox.add(manager, AUTHORIZATION_REFUSED, {
        authorizationId: authorization?.id ?? null,
        sellingPartnerId: request.sellingPartnerId,
        reason: (failure ?? answer.body.message).slice(0, 500),
        statusCode: answer.body.statusCode,
        requestedByKeyId: authorization?.requestedByKeyId ?? null,
        requestedByKeyName: authorization?.requestedByKeyName ?? null,
        refusedAt: new Date().toISOString(),
      });
    });
    return answer;
  }

  /**
   * One transaction: the account made (sellerId = selling_partner_id, the app's client id and
   * secret, the new refresh token) or the seller's account given the new token, and the
   * authorization's outcome.
   */
  private async link(authorization: Authorization, sellerId: string, refreshToken: string, bound?: SellerAccount): Promise<{ account: SellerAccount; created: boolean }> {
    return this.authorizations.manager.transaction(async (manager) => {
      const existing = bound ?? (await manager.findOne(SellerAccount, { where: { sellerId, region: authorization.region, deletedAt: IsNull() }, lock: { mode: 'pessimistic_write' } })) ?? undefined;
      const id = existing?.id ?? newRowId();
      const credentials = {
        lwaClientId: this.settings.SPAPI_APP_CLIENT_ID,
        encryptedClientSecret: this.secrets.encrypt(this.settings.SPAPI_APP_CLIENT_SECRET, accountSecretContext(id, 'clientSecret')),
        encryptedRefreshToken: this.secrets.encrypt(refreshToken, accountSecretContext(id, 'refreshToken')),
      };
      if (existing) {
        // The token works with the endpoints it was issued through: the account follows them.
        await manager.update(SellerAccount, { id }, { ...credentials, apiEndpoint: authorization.apiEndpoint, lwaEndpoint: authorization.lwaEndpoint, nextSyncAt: new Date() });
        // The token changed (perhaps after a revocation): its marketplaces are asked again soon, by the refresher.
        await manager.query(`update marketplace_refreshes set due_at = now() where account_id = $1`, [id]);
      } else {
        await manager.insert(SellerAccount, {
          id,
          name: authorization.name ?? `Amazon ${sellerId} (${authorization.region})`,
          sellerId,
          region: authorization.region,
          ...credentials,
          // Its marketplaces and sync come with the Sellers API's first answer (enableDiscovered).
          marketplaceIds: [],
          ordersApi: authorization.ordersApi ?? OrdersApiVersion.V2026,
          apiEndpoint: authorization.apiEndpoint,
          lwaEndpoint: authorization.lwaEndpoint,
          syncEnabled: false,
          syncIntervalSeconds: 300,
          initialSyncFrom: new Date(Date.now() - DEFAULT_BACKFILL_DAYS * 86400_000),
          defaultProductId: null,
          stockSync: false,
          stockBuffer: 0,
          handlingTimeDays: null,
          ...newAccountSyncState(),
        });
        // A link no seller was expected for starts with its sync off: anyone who opened the consent URL could be that seller.
        await manager.upsert(MarketplaceRefresh, { accountId: id, dueAt: new Date(), refreshedAt: null, lastError: null, enableDiscovered: true, syncDiscovered: authorization.expectedSellerId !== null }, ['accountId']);
      }
      await manager.update(Authorization, { id: authorization.id }, { outcome: existing ? 'updated' : 'created', resultAccountId: id });
      // The audit's source, committed with the link: the gateway writes it whether or not the callback's answer reaches it.
      await this.outbox.add(manager, AUTHORIZATION_COMPLETED, {
        authorizationId: authorization.id,
        accountId: id,
        created: !existing,
        sellingPartnerId: sellerId,
        requestedByKeyId: authorization.requestedByKeyId,
        requestedByKeyName: authorization.requestedByKeyName,
        completedAt: new Date().toISOString(),
      });
      const account = await manager.findOneByOrFail(SellerAccount, { id });
      return { account, created: !existing };
    });
  }

  private checkEnabled(): void {
    if (!this.settings.linkingEnabled) throw ServiceError.conflict('Link with Amazon is off: SPAPI_APP_ID and the app settings are not set (see README, Link with Amazon)');
  }
}

function refusedState(message: string): ServiceError {
  return ServiceError.badRequest(message, [{ field: STATE_FIELD, errors: [message] }]);
}
