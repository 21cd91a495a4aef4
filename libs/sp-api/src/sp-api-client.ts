import { AmazonEndpoints, AmazonRegion } from './amazon-endpoints';
import { SpApiOperation } from './rate-limits';
import { AmazonQuotas, LocalQuotas, OperationQuota } from './amazon-quotas';
import { createHash } from 'node:crypto';
import { backoffDelay, sleep } from '@connector/workers';
import { amazonRequestDuration, amazonRequests, rateLimitWait, statusLabel } from './sp-api.metrics';

/**
 * Between tries of a call that failed on the network or with a 5xx: full jitter under a ceiling
 * of 250 ms, 500 ms, … 15 s (libs/workers backoffDelay). A 429 waits for the quota instead.
 * A Retry-After (Amazon sends none on 5xx; a proxy might) can lengthen the 5xx wait, never shorten it.
 */
const RETRY_BACKOFF = { baseMs: 250, maxMs: 15_000 };
/** Retries of a call, whatever failed it (5xx, network, 429), unless told otherwise (SPAPI_RETRIES in the services). */
export const DEFAULT_MAX_RETRIES = 8;
/** A Retry-After longer than this is taken as this: a hung call would hold its run for nothing. */
const MAX_RETRY_AFTER_MS = 15 * 60_000;

export interface SpApiAccess {
  accountId: string;
  /**
   * The selling partner: Amazon's quotas are per seller and application, so accounts of the same
   * seller share them. Unknown (tests): the account stands for its seller.
   */
  sellerId?: string;
  /** Decides which SP-API hosts of Amazon's the account may use. */
  region: AmazonRegion;
  /** SP-API base URL, e.g. https://sellingpartnerapi-eu.amazon.com or the sandbox. */
  endpoint: string;
  /** LWA token URL, e.g. https://api.amazon.com/auth/o2/token. */
  lwaEndpoint: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

export interface SpApiClientOptions {
  /** Where secrets may be sent; Amazon's own hosts only when not given. */
  endpoints?: AmazonEndpoints;
  /** Multiplies Amazon's restore rates (only for a sandbox whose clock runs faster). */
  rateScale?: number;
  /**
   * Where the operations' quotas are kept: SharedQuotas in the services, so every replica of every
   * service spends one bucket per seller. Not given: each client keeps its own (tests, tools).
   */
  quotas?: AmazonQuotas;
  maxRetries?: number;
  requestTimeoutMs?: number;
}

/** Amazon's error model: the only part of an error answer that is kept, stored or shown. */
export interface SpApiErrorBody {
  errors: { code?: string; message?: string; details?: string }[];
}

/**
 * An error answer of Amazon's (`{ errors: [{ code, message, details }] }`) or of the network.
 * It never holds a raw request or response body: those could carry a token or a secret.
 */
export class SpApiError extends Error {
  constructor(
    readonly operation: string,
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body?: SpApiErrorBody,
    /** How long Amazon asked us to wait (its Retry-After header), when it said. */
    readonly retryAfterMs?: number,
  ) {
    super(`${operation}: ${status} ${code}: ${message}`);
  }

  /** 429, 5xx and network errors are worth retrying; 4xx are not. */
  get retriable(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

/**
 * Whether Amazon could not be reached or said it is unavailable (its connection failed: status 0 with
 * a connection code; a 503 or a gateway's 504), once the client's own retries were spent: an outage
 * that passes, unlike a 4xx, a 429 (the quota, paced already) or a 500 (a request Amazon fails on,
 * which a retry soon repeats). Not any status 0: a request timing out (one heavy request does each
 * time), a name that does not resolve or a certificate refused (a wrong endpoint or proxy setting)
 * fail the same way on every try.
 */
export function isAmazonAway(err: unknown): boolean {
  if (!(err instanceof SpApiError)) return false;
  if (err.status === 503 || err.status === 504) return true;
  // A network failure's message ends with the cause's code (see call: `err.cause.code ?? err.message`).
  return err.status === 0 && err.code === 'NetworkError' && AMAZON_CONNECTION_CODES.has(err.message.slice(err.message.lastIndexOf(': ') + 2));
}

/** undici's and the OS's codes for a connection to Amazon lost or refused (not a timeout of the request itself). */
const AMAZON_CONNECTION_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

/** LWA's answers that mean the account's credentials themselves are refused (not a passing outage). */
const REFUSED_CREDENTIALS = new Set(['invalid_grant', 'invalid_client', 'unauthorized_client']);

/**
 * Whether Amazon refused the account's credentials (LWA: a revoked or wrong refresh token, a
 * wrong client): nothing works for the account until someone gives it new ones.
 */
export function isCredentialsRefused(err: unknown): err is SpApiError {
  return err instanceof SpApiError && err.operation === 'lwaToken' && (err.status === 400 || err.status === 401) && REFUSED_CREDENTIALS.has(err.code);
}

/** A call its caller withdrew (`mayStart` said no) before anything of it went to Amazon. */
export class CallNotStartedError extends Error {
  constructor(readonly operation: string) {
    super(`${operation}: not sent (withdrawn by the caller before it went out)`);
  }
}

/**
 * A call made with `withoutQuotaWait` whose quota is spent: our bucket has no token now, or Amazon
 * answered 429 (the call had no effect). Nothing of it took effect; `retryInMs`: when a token
 * is expected back.
 */
export class QuotaSpentError extends CallNotStartedError {
  constructor(
    operation: string,
    readonly retryInMs: number,
  ) {
    super(operation);
    this.message = `${operation}: quota spent, not sent (a token is back in ${Math.ceil(retryInMs / 1000)} s)`;
  }
}

export interface CallStats {
  /** Tries per operation, the LWA token requests (`lwaToken`) among them. */
  calls: Record<string, number>;
  throttled: number;
  retried: number;
  /** Calls that had to wait for rate limits (our token bucket, or Amazon's Retry-After on a 429) before going out. */
  rateLimitWaits: number;
  /** The time those waits took, in all. */
  rateLimitWaitMs: number;
}

type Query = Record<string, string | number | string[] | undefined>;

/**
 * One seller account's SP-API access: the cached LWA token, client-side pacing per
 * operation, and retries (429: wait for the bucket; 5xx and network: exponential back-off).
 */
export class SpApiClient {
  readonly stats: CallStats = { calls: {}, throttled: 0, retried: 0, rateLimitWaits: 0, rateLimitWaitMs: 0 };
  private readonly quotas = new Map<SpApiOperation, OperationQuota>();
  /** Calls waiting for their operation's quota now, per operation. */
  private readonly waiting = new Map<SpApiOperation, number>();
  private ownQuotas?: AmazonQuotas;
  private token?: { value: string; expiresAt: number };
  private tokenRequest?: Promise<string>;

  constructor(
    readonly access: SpApiAccess,
    private readonly options: SpApiClientOptions = {},
  ) {}

  async request<T>(
    operation: SpApiOperation,
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    args: {
      query?: Query;
      body?: unknown;
      accessToken?: string;
      /**
       * Asked right before each try goes out (after its quota token, which may take minutes):
       * false withdraws the call (CallNotStartedError), so a stopping caller can hand the work
       * to another process knowing nothing of it reached Amazon.
       */
      mayStart?: () => boolean;
      /**
       * false: a try that may have reached Amazon (5xx, network) is not tried again, only one
       * Amazon refused unseen (429): for a call that must not take effect twice (createFeed).
       */
      retryUnsure?: boolean;
      /**
       * true: never wait for the operation's quota: no token now, or a 429, fails the call at once
       * (QuotaSpentError), so a caller with other work can go on with it and come back later.
       */
      withoutQuotaWait?: boolean;
      /** Tries after a failed one at most (default: the client's): 0 for a look that is repeated later anyway. */
      maxRetries?: number;
    } = {},
  ): Promise<T> {
    const maxRetries = args.maxRetries ?? this.options.maxRetries ?? DEFAULT_MAX_RETRIES;
    const quota = this.quota(operation);
    for (let attempt = 0; ; attempt++) {
      // The access token first: a token fetch between taking a quota token and sending would
      // make the call reach Amazon later than our bucket thinks.
      const accessToken = args.accessToken ?? (await this.accessToken());
      if (args.withoutQuotaWait) {
        const retryInMs = await quota.tryTake();
        if (retryInMs > 0) throw new QuotaSpentError(operation, retryInMs);
        this.rateLimitWaited(operation, 0);
      } else {
        const waitedMs = await this.waitFor(operation, quota.take());
        this.rateLimitWaited(operation, waitedMs);
      }
      if (args.mayStart && !args.mayStart()) {
        // Its token back: nobody (no replica) waits for a call that is not made.
        await quota.giveBack();
        throw new CallNotStartedError(operation);
      }
      this.stats.calls[operation] = (this.stats.calls[operation] ?? 0) + 1;
      try {
        return await this.send<T>(operation, method, path, { ...args, accessToken }, quota);
      } catch (err) {
        if (args.withoutQuotaWait && err instanceof SpApiError && err.status === 429) {
          this.stats.throttled++;
          await quota.drain();
          throw new QuotaSpentError(operation, Math.max(err.retryAfterMs ?? 0, await quota.msUntilTokens(1)));
        }
        if (!(err instanceof SpApiError) || !err.retriable || attempt >= maxRetries) throw err;
        if (args.retryUnsure === false && err.status !== 429) throw err;
        this.stats.retried++;
        if (err.status === 429) {
          this.stats.throttled++;
          await quota.drain();
          // Amazon's word on when to come back wins over our bucket's guess.
          if (err.retryAfterMs) {
            await this.waitFor(operation, sleep(err.retryAfterMs));
            this.rateLimitWaited(operation, err.retryAfterMs);
          }
        } else {
          // Never sooner than our back-off: a Retry-After of 0 (a proxy's, say) must not fire the tries back to back.
          await sleep(Math.max(err.retryAfterMs ?? 0, backoffDelay(attempt + 1, RETRY_BACKOFF)));
        }
      }
    }
  }

  /** How long until `count` calls of the operation could go out without waiting (0: now), after those waiting already. */
  quotaWaitMs(operation: SpApiOperation, count = 1): Promise<number> {
    return this.quota(operation).msUntilTokens(count);
  }

  /** The operations whose calls wait for their quota at this moment (a run's progress names them). */
  waitingForQuota(): SpApiOperation[] {
    return [...this.waiting.keys()];
  }

  private async waitFor<T>(operation: SpApiOperation, wait: Promise<T>): Promise<T> {
    this.waiting.set(operation, (this.waiting.get(operation) ?? 0) + 1);
    try {
      return await wait;
    } finally {
      const left = (this.waiting.get(operation) ?? 1) - 1;
      if (left > 0) this.waiting.set(operation, left);
      else this.waiting.delete(operation);
    }
  }

  /** A wait for the rate limit (the bucket's, even of 0 ms, or Amazon's Retry-After): in the run's stats and the histogram alike. */
  private rateLimitWaited(operation: SpApiOperation, ms: number): void {
    rateLimitWait.observe({ operation }, ms / 1000);
    if (ms <= 0) return;
    this.stats.rateLimitWaits++;
    this.stats.rateLimitWaitMs += ms;
  }

  private async send<T>(
    operation: SpApiOperation,
    method: string,
    path: string,
    args: { query?: Query; body?: unknown; accessToken: string; mayStart?: () => boolean },
    quota: OperationQuota,
  ): Promise<T> {
    // Under the endpoint's own path (an allowed stand-in may sit below a path): `new URL(path, base)` would drop it.
    const url = new URL(`${this.access.endpoint.replace(/\/+$/, '')}${path}`);
    for (const [key, value] of Object.entries(args.query ?? {})) {
      if (value === undefined) continue;
      url.searchParams.set(key, Array.isArray(value) ? value.join(',') : String(value));
    }
    const { accessToken } = args;
    let response: Response;
    const sentAt = performance.now();
    try {
      response = await fetch(url, {
        method,
        // A redirect would carry the access token to a host nobody allowed.
        redirect: 'manual',
        headers: {
          'x-amz-access-token': accessToken,
          'content-type': 'application/json',
          accept: 'application/json',
          'user-agent': 'amazon-order-connector/0.1 (Language=TypeScript)',
        },
        body: args.body === undefined ? undefined : JSON.stringify(args.body),
        signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 30_000),
      });
    } catch (err) {
      this.observe(operation, 0, sentAt);
      throw new SpApiError(operation, 0, 'NetworkError', err?.cause?.code ?? err.message);
    }
    this.observe(operation, response.status, sentAt);
    const limit = Number(response.headers.get('x-amzn-ratelimit-limit'));
    if (limit > 0) quota.setRate(limit);
    if (isRedirect(response.status)) {
      await response.body?.cancel().catch(() => undefined);
      throw new SpApiError(operation, response.status, 'RedirectRefused', 'the endpoint answered with a redirect, which is never followed');
    }
    const text = await response.text();
    if (!response.ok) {
      const body = amazonErrorBody(text);
      const first = body?.errors[0];
      throw new SpApiError(operation, response.status, first?.code ?? `HTTP${response.status}`, first?.message ?? 'no error message', body, retryAfterMs(response.headers.get('retry-after')));
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** LWA access token, cached and refreshed five minutes before it expires. */
  async accessToken(): Promise<string> {
    if (this.token && this.token.expiresAt - 300_000 > Date.now()) return this.token.value;
    this.tokenRequest ??= this.fetchAccessToken().finally(() => (this.tokenRequest = undefined));
    return this.tokenRequest;
  }

  private async fetchAccessToken(): Promise<string> {
    let response: Response;
    const sentAt = performance.now();
    // Counted with the SP-API calls (a sync run's apiCalls), as connector_amazon_requests_total counts it.
    this.stats.calls.lwaToken = (this.stats.calls.lwaToken ?? 0) + 1;
    try {
      response = await fetch(this.access.lwaEndpoint, {
        method: 'POST',
        // The request body holds the refresh token and client secret: never re-sent elsewhere.
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: this.access.refreshToken,
          client_id: this.access.clientId,
          client_secret: this.access.clientSecret,
        }),
        signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 30_000),
      });
    } catch (err) {
      this.observe('lwaToken', 0, sentAt);
      throw new SpApiError('lwaToken', 0, 'NetworkError', err?.cause?.code ?? err.message);
    }
    this.observe('lwaToken', response.status, sentAt);
    if (isRedirect(response.status)) {
      await response.body?.cancel().catch(() => undefined);
      throw new SpApiError('lwaToken', response.status, 'RedirectRefused', 'the LWA endpoint answered with a redirect, which is never followed');
    }
    const body = (await response.json().catch(() => ({}))) as {
      access_token?: string;
      expires_in?: number;
      error?: string;
      error_description?: string;
    };
    if (!response.ok || !body.access_token) {
      // Never echo the credentials: only LWA's error code and description.
      throw new SpApiError('lwaToken', response.status, short(body.error) ?? 'invalid_token_response', short(body.error_description) ?? 'no access token');
    }
    this.token = { value: body.access_token, expiresAt: Date.now() + (body.expires_in ?? 3600) * 1000 };
    return body.access_token;
  }

  /**
   * Counts a try and its status. (Whether the account's credentials are refused is not kept
   * here, per process: order-ingestion exports it from its durable alert episodes, see
   * isCredentialsRefused.)
   */
  private observe(operation: string, status: number, sentAt: number): void {
    amazonRequests.inc({ operation, status: statusLabel(status) });
    amazonRequestDuration.observe({ operation }, (performance.now() - sentAt) / 1000);
  }

  private quota(operation: SpApiOperation): OperationQuota {
    let quota = this.quotas.get(operation);
    if (!quota) {
      this.ownQuotas ??= this.options.quotas ?? new LocalQuotas(this.options.rateScale ?? 1);
      const { accountId, sellerId, clientId, endpoint } = this.access;
      quota = this.ownQuotas.quota({ sellerId: sellerId ?? accountId, clientId, endpoint }, operation);
      this.quotas.set(operation, quota);
    }
    return quota;
  }
}

/**
 * Keeps one client per account (by its id), so its token and buckets live across sync runs; a
 * change of credentials or endpoint makes a new client. The change is noticed by a hash of them:
 * the map never holds the secrets as its keys.
 */
export class SpApiClients {
  private readonly clients = new Map<string, { fingerprint: string; client: SpApiClient }>();
  private readonly endpoints: AmazonEndpoints;

  constructor(private readonly options: SpApiClientOptions = {}) {
    this.endpoints = options.endpoints ?? new AmazonEndpoints();
  }

  /** Throws EndpointNotAllowedError for an account that points where its secrets may not go. */
  for(access: SpApiAccess): SpApiClient {
    this.endpoints.assertAllowed(access.region, { apiEndpoint: access.endpoint, lwaEndpoint: access.lwaEndpoint });
    const fingerprint = accessFingerprint(access);
    const known = this.clients.get(access.accountId);
    if (known && known.fingerprint === fingerprint) return known.client;
    const client = new SpApiClient(access, this.options);
    this.clients.set(access.accountId, { fingerprint, client });
    return client;
  }

  /** The accounts that have a client now. */
  accountIds(): string[] {
    return [...this.clients.keys()];
  }

  /** Keeps only the clients of these accounts: those of accounts deleted go rather than stay in the process. */
  keepOnly(accountIds: Iterable<string>): void {
    const kept = new Set(accountIds);
    for (const accountId of this.clients.keys()) if (!kept.has(accountId)) this.clients.delete(accountId);
  }

  /** Drops the account's client (the account is gone). */
  forget(accountId: string): void {
    this.clients.delete(accountId);
  }
}

/** A SHA-256 of what makes a client (endpoints and credentials): tells a change apart without keeping the secrets. */
export function accessFingerprint(access: SpApiAccess): string {
  const hash = createHash('sha256');
  for (const part of [access.region, access.sellerId ?? '', access.endpoint, access.lwaEndpoint, access.clientId, access.clientSecret, access.refreshToken]) hash.update(part).update('\0');
  return hash.digest('hex');
}

/** Retry-After (RFC 9110): seconds, or an HTTP date; bounded. Undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const text = header.trim();
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));
}

function isRedirect(status: number): boolean {
  return status >= 300 && status < 400;
}

/** A string field of an error answer, bounded: enough to read, too short to smuggle much. */
function short(value: unknown): string | undefined {
  return typeof value === 'string' ? value.slice(0, 300) : undefined;
}

/** Amazon's `{ errors: [...] }` with only its code, message and details, bounded; nothing else of the body. */
function amazonErrorBody(text: string): SpApiErrorBody | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const errors = (parsed as { errors?: unknown })?.errors;
  if (!Array.isArray(errors)) return undefined;
  return {
    errors: errors.slice(0, 10).map((e) => ({ code: short(e?.code), message: short(e?.message), details: short(e?.details) })),
  };
}
