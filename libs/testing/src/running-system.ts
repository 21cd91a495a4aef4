import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { allowSandboxEndpoint, HttpAnswer, keepLast, linkWithSandboxEnv, ProcessName, registerSandboxApp, request, SandboxSeller, sandboxAccountBody, System } from '@connector/local-system';
import { freePort, TestEnvironment, TestEnvironmentOptions } from '@connector/test-environment';

export const API_KEY = 'e2e-key';

export type { HttpAnswer, SandboxSeller };

/** The repository root, from libs/testing/src (tests) or dist/libs/testing/src (benchmarks). */
export const ROOT_DIR = resolve(__dirname, __dirname.includes('/dist/') ? '../../../..' : '../../..');

/**
 * The whole system for one end-to-end test file or benchmark: a database and NATS namespace
 * of its own, and every service and the sandbox as separate processes, started as `npm start` does.
 */
export interface RunningSystemOptions extends TestEnvironmentOptions {
  /**
   * Where the services reach PostgreSQL, when not where the test does (a TcpProxy in front of the
   * test's cluster): a postgres:// URL whose database part is replaced by the test's database.
   */
  servicePostgresUrl?: string;
}

export class RunningSystem {
  readonly env: TestEnvironment;
  system!: System;
  gatewayUrl!: string;
  sandboxUrl!: string;
  /** The last 20,000 output lines of all processes (prefixed with the process's name). */
  readonly output: string[] = [];

  constructor(private readonly options: RunningSystemOptions = {}) {
    this.env = new TestEnvironment(options);
  }

  /** The DATABASE_URL the services are given. */
  get serviceDatabaseUrl(): string {
    if (!this.options.servicePostgresUrl) return this.env.databaseUrl;
    const url = new URL(this.options.servicePostgresUrl);
    url.pathname = `/${this.env.databaseName}`;
    return url.toString();
  }

  async start(extraEnv: Record<string, string> = {}, envOf?: (name: ProcessName) => Record<string, string>): Promise<this> {
    await this.env.setUp();
    const [gatewayPort, sandboxPort] = [await freePort(), await freePort()];
    this.gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    this.sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
    this.system = new System({
      rootDir: ROOT_DIR,
      env: allowSandboxEndpoint({
        ...process.env,
        DATABASE_URL: this.serviceDatabaseUrl,
        NATS_URL: this.env.natsUrl,
        NATS_NAMESPACE: this.env.namespace,
        GATEWAY_PORT: String(gatewayPort),
        GATEWAY_API_KEYS: API_KEY,
        // Tests and benchmarks poll the API far faster than a person; the limit has its own test.
        GATEWAY_RATE_LIMIT_PER_MINUTE: '1000000',
        SANDBOX_PORT: String(sandboxPort),
        SYNC_TICK_SECONDS: '0.5',
        NOTIFY_POLL_MS: '200',
        LOG_LEVEL: 'warn',
        // Tests' webhook receivers listen on loopback, which webhooks may not reach otherwise.
        ALERT_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
        // Link with Amazon: the sandbox's consent page, back to this gateway.
        ...linkWithSandboxEnv(this.gatewayUrl, this.sandboxUrl),
        ...extraEnv,
      }, this.sandboxUrl),
      envOf,
      log: (line) => {
        this.output.push(line);
        keepLast(this.output, 20_000);
        if (process.env.E2E_VERBOSE || process.env.BENCH_VERBOSE) process.stdout.write(`${line}\n`);
      },
    });
    await this.system.start();
    return this;
  }

  /** Peak resident memory (VmHWM) of each process so far, in MiB. */
  peakMemory(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, proc] of this.system.processes) {
      try {
        const status = readFileSync(`/proc/${proc.pid}/status`, 'utf8');
        out[name] = Math.round(Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024);
      } catch {
        /* not running */
      }
    }
    return out;
  }

  /** Stops the system and removes its database and stream; fails if a process reported an unhandled rejection. */
  async stop(): Promise<void> {
    try {
      await this.system?.stop();
    } finally {
      await this.env.tearDown();
    }
  }

  api<T = any>(method: string, path: string, body?: unknown, apiKey: string | null = API_KEY): Promise<HttpAnswer<T>> {
    return request<T>(method, `${this.gatewayUrl}${path}`, body, apiKey ? { authorization: `Bearer ${apiKey}` } : {});
  }

  /** Creates the connector account of a sandbox seller, pointing at the sandbox (POST /api/v1/accounts). */
  createAccount<T = any>(seller: SandboxSeller, region: 'EU' | 'NA' | 'FE' = 'EU', extra: Record<string, unknown> = {}): Promise<HttpAnswer<T>> {
    return this.api<T>('POST', '/api/v1/accounts', sandboxAccountBody(seller, this.sandboxUrl, region, extra));
  }

  /** Creates the connector accounts of sandbox sellers in one import (POST /api/v1/accounts/import). */
  importAccounts<T = any>(sellers: SandboxSeller[], region: 'EU' | 'NA' | 'FE' = 'EU', extra: Record<string, unknown> = {}): Promise<HttpAnswer<T>> {
    return this.api<T>('POST', '/api/v1/accounts/import', { accounts: sellers.map((seller) => sandboxAccountBody(seller, this.sandboxUrl, region, extra)) });
  }

  /** Registers the development SP-API app at the sandbox, its redirect URI this gateway's callback (Link with Amazon). */
  registerSandboxApp(): Promise<void> {
    return registerSandboxApp(this.sandboxUrl, this.gatewayUrl);
  }

  sandbox<T = any>(method: string, path: string, body?: unknown): Promise<HttpAnswer<T>> {
    return request<T>(method, `${this.sandboxUrl}${path}`, body, {});
  }
}
