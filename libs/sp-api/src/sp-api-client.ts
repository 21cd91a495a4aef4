import { OPERATION_LIMITS, SpApiOperation, TokenBucket } from './rate-limits';

export interface SpApiAccess {
  accountId: string;
  /** SP-API base URL, e.g. https://sellingpartnerapi-eu.amazon.com or the sandbox. */
  endpoint: string;
  /** LWA token URL, e.g. https://api.amazon.com/auth/o2/token. */
  lwaEndpoint: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

export interface SpApiClientOptions {
  /** Multiplies Amazon's restore rates (only for a sandbox whose clock runs faster). */
  rateScale?: number;
  maxRetries?: number;
  requestTimeoutMs?: number;
}

/** An error answer of Amazon's (`{ errors: [{ code, message, details }] }`) or of the network. */
export class SpApiError extends Error {
  constructor(
    readonly operation: string,
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body?: unknown,
  ) {
    super(`${operation}: ${status} ${code}: ${message}`);
  }

  /** 429, 5xx and network errors are worth retrying; 4xx are not. */
  get retriable(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

export interface CallStats {
  calls: Record<string, number>;
  throttled: number;
  retried: number;
}

type Query = Record<string, string | number | string[] | undefined>;

/**
 * One seller account's SP-API access: the cached LWA token, client-side pacing per
 * operation, and retries (429: wait for the bucket; 5xx and network: exponential back-off).
 */
export class SpApiClient {
  readonly stats: CallStats = { calls: {}, throttled: 0, retried: 0 };
  private readonly buckets = new Map<SpApiOperation, TokenBucket>();
  private token?: { value: string; expiresAt: number };
  private tokenRequest?: Promise<string>;

  constructor(
    readonly access: SpApiAccess,
    private readonly options: SpApiClientOptions = {},
  ) {}

  async request<T>(
    operation: SpApiOperation,
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    args: { query?: Query; body?: unknown; accessToken?: string } = {},
  ): Promise<T> {
    const maxRetries = this.options.maxRetries ?? 8;
    const bucket = this.bucket(operation);
    for (let attempt = 0; ; attempt++) {
      // The access token first: a token fetch between taking a quota token and sending would
      // make the call reach Amazon later than our bucket thinks.
      const accessToken = args.accessToken ?? (await this.accessToken());
      await bucket.take();
      this.stats.calls[operation] = (this.stats.calls[operation] ?? 0) + 1;
      try {
        return await this.send<T>(operation, method, path, { ...args, accessToken }, bucket);
      } catch (err) {
        if (!(err instanceof SpApiError) || !err.retriable || attempt >= maxRetries) throw err;
        this.stats.retried++;
        if (err.status === 429) {
          this.stats.throttled++;
          bucket.drain();
        } else {
          await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** attempt, 15_000)));
        }
      }
    }
  }

  private async send<T>(
    operation: SpApiOperation,
    method: string,
    path: string,
    args: { query?: Query; body?: unknown; accessToken: string },
    bucket: TokenBucket,
  ): Promise<T> {
    const url = new URL(path, this.access.endpoint);
    for (const [key, value] of Object.entries(args.query ?? {})) {
      if (value === undefined) continue;
      url.searchParams.set(key, Array.isArray(value) ? value.join(',') : String(value));
    }
    const { accessToken } = args;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
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
      throw new SpApiError(operation, 0, 'NetworkError', err?.cause?.code ?? err.message);
    }
    const limit = Number(response.headers.get('x-amzn-ratelimit-limit'));
    if (limit > 0) bucket.setRate(limit);
    const text = await response.text();
    if (!response.ok) {
      let body: { errors?: { code?: string; message?: string; details?: string }[] } | undefined;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      const first = body?.errors?.[0];
      throw new SpApiError(operation, response.status, first?.code ?? `HTTP${response.status}`, first?.message ?? text.slice(0, 200), body);
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
    try {
      response = await fetch(this.access.lwaEndpoint, {
        method: 'POST',
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
      throw new SpApiError('lwaToken', 0, 'NetworkError', err?.cause?.code ?? err.message);
    }
    const body = (await response.json().catch(() => ({}))) as {
      access_token?: string;
      expires_in?: number;
      error?: string;
      error_description?: string;
    };
    if (!response.ok || !body.access_token) {
      // Never echo the credentials: only LWA's error code and description.
      throw new SpApiError('lwaToken', response.status, body.error ?? 'invalid_token_response', body.error_description ?? 'no access token');
    }
    this.token = { value: body.access_token, expiresAt: Date.now() + (body.expires_in ?? 3600) * 1000 };
    return body.access_token;
  }

  private bucket(operation: SpApiOperation): TokenBucket {
    let bucket = this.buckets.get(operation);
    if (!bucket) {
      const limit = OPERATION_LIMITS[operation];
      bucket = new TokenBucket(limit.rate, limit.burst, this.options.rateScale ?? 1);
      this.buckets.set(operation, bucket);
    }
    return bucket;
  }
}

/**
 * Keeps one client per account, so its token and buckets live across sync runs; a change
 * of credentials or endpoint makes a new client.
 */
export class SpApiClients {
  private readonly clients = new Map<string, { key: string; client: SpApiClient }>();

  constructor(private readonly options: SpApiClientOptions = {}) {}

  for(access: SpApiAccess): SpApiClient {
    const key = [access.endpoint, access.lwaEndpoint, access.clientId, access.clientSecret, access.refreshToken].join('\n');
    const known = this.clients.get(access.accountId);
    if (known && known.key === key) return known.client;
    const client = new SpApiClient(access, this.options);
    this.clients.set(access.accountId, { key, client });
    return client;
  }
}
