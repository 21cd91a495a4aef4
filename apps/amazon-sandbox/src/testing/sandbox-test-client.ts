import { INestApplication } from '@nestjs/common';
import { createSandboxApp, CreateSandboxOptions, sandboxBaseUrl } from '../sandbox-app';

export interface TestSeller {
  sellerId: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  marketplaceIds: string[];
}

export interface HttpResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** Starts a sandbox in-process and talks to it over real HTTP (tests only). */
export class SandboxTestClient {
  private constructor(
    readonly app: INestApplication,
    readonly baseUrl: string,
  ) {}

  static async start(options: CreateSandboxOptions = {}): Promise<SandboxTestClient> {
    const app = await createSandboxApp({ port: 0, host: '127.0.0.1', ...options });
    return new SandboxTestClient(app, sandboxBaseUrl(app));
  }

  close(): Promise<void> {
    return this.app.close();
  }

  async request<T = any>(method: string, path: string, opts: { body?: unknown; token?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<HttpResult<T>> {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    let body: string | undefined;
    if (opts.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(opts.form).toString();
    } else if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    if (opts.token) headers['x-amz-access-token'] = opts.token;
    const res = await fetch(this.baseUrl + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, headers: res.headers, body: parsed as T };
  }

  async seedSeller(seller: Partial<TestSeller> = {}): Promise<TestSeller> {
    const s: TestSeller = {
      sellerId: 'A1SELLER',
      clientId: 'amzn1.application-oa2-client.test',
      clientSecret: 'secret-1',
      refreshToken: 'Atzr|refresh-1',
      marketplaceIds: ['A1PA6795UKMFR9', 'ATVPDKIKX0DER'],
      ...seller,
    };
    const res = await this.request('POST', '/_sandbox/sellers', { body: s });
    if (res.status !== 201) throw new Error(`seed seller failed: ${res.status} ${JSON.stringify(res.body)}`);
    return s;
  }

  async accessToken(seller: TestSeller): Promise<string> {
    const res = await this.request('POST', '/auth/o2/token', {
      form: { grant_type: 'refresh_token', refresh_token: seller.refreshToken, client_id: seller.clientId, client_secret: seller.clientSecret },
    });
    if (res.status !== 200) throw new Error(`token failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.access_token;
  }

  async generate(sellerId: string, body: Record<string, unknown>): Promise<string[]> {
    const res = await this.request('POST', `/_sandbox/sellers/${sellerId}/orders/generate`, { body });
    if (res.status !== 201) throw new Error(`generate failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.orderIds;
  }
}
