/** One failing field of a request, as the gateway's problem+json names it (`details`). */
export interface FieldProblem {
  field: string;
  errors: string[];
}

/** The gateway's error answer (`application/problem+json`, RFC 9457, plus `details` on a 400). */
export interface Problem {
  title?: string;
  status?: number;
  detail?: string;
  message?: string | string[];
  details?: FieldProblem[];
}

/** The gateway answered, and refused (any status of 400 or more). */
export class ApiRefusal extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(`${method} ${path}: ${status}`);
  }
}

/** No answer from the gateway: refused connection, unknown host, timeout. */
export class GatewayUnreachable extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`cannot reach the gateway at ${url}: ${reason}`);
  }
}

/** Wrong use of the command line: a missing option, a value it cannot take. */
export class UsageError extends Error {}

export interface GatewayClientOptions {
  url: string;
  apiKey: string;
  /** Sent with POSTs (the gateway replays the first answer of a key instead of acting twice). */
  idempotencyKey?: string;
  /** Longest wait for one answer; a recovered order may wait up to 60 s for Amazon. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export type Query = Record<string, string | number | boolean | undefined>;

/** The gateway's public HTTP API (`/api/v1`), with the API key as bearer token. */
export class GatewayClient {
  private readonly base: string;

  constructor(private readonly options: GatewayClientOptions) {
    this.base = options.url.replace(/\/+$/, '');
  }

  get<T>(path: string, query: Query = {}): Promise<T> {
    return this.call<T>('GET', withQuery(path, query));
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.call<T>('POST', path, body);
  }

  delete(path: string): Promise<void> {
    return this.call<void>('DELETE', path);
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = `${this.base}/api/v1${path}`;
    const headers: Record<string, string> = { authorization: `Bearer ${this.options.apiKey}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method === 'POST' && this.options.idempotencyKey) headers['idempotency-key'] = this.options.idempotencyKey;
    let response: Response;
    try {
      response = await (this.options.fetch ?? fetch)(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 90_000),
      });
    } catch (error) {
      throw new GatewayUnreachable(this.base, reasonOf(error));
    }
    const text = await response.text();
    const parsed = text ? parseJson(text) : undefined;
    if (!response.ok) {
      const problem: Problem = parsed && typeof parsed === 'object' ? (parsed as Problem) : { detail: text.slice(0, 500) || response.statusText };
      throw new ApiRefusal(method, path, response.status, problem);
    }
    return parsed as T;
  }
}

export function withQuery(path: string, query: Query): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(name, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Why fetch got no answer, in words: undici hides the system error (ECONNREFUSED, ...) in `cause`. */
function reasonOf(error: any): string {
  if (error?.name === 'TimeoutError') return 'no answer in time';
  const cause = error?.cause;
  if (cause?.code) return `${cause.code}${cause.message ? ` (${cause.message})` : ''}`;
  return cause?.message ?? error?.message ?? String(error);
}
