import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { System } from '@connector/launcher';
import { freePort, TestEnvironment } from '@connector/testing';

/** The system for a benchmark: its own database and NATS namespace, every service its own process. */
export class BenchSystem {
  readonly env = new TestEnvironment();
  system!: System;
  gatewayUrl!: string;
  sandboxUrl!: string;
  readonly apiKey = 'bench-key';

  async start(extraEnv: Record<string, string>): Promise<this> {
    await this.env.setUp();
    const [gatewayPort, sandboxPort] = [await freePort(), await freePort()];
    this.gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    this.sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
    this.system = new System({
      rootDir: resolve(__dirname, '../..'),
      env: {
        ...process.env,
        DATABASE_URL: this.env.databaseUrl,
        NATS_NAMESPACE: this.env.namespace,
        GATEWAY_PORT: String(gatewayPort),
        GATEWAY_API_KEYS: this.apiKey,
        SANDBOX_PORT: String(sandboxPort),
        SYNC_TICK_SECONDS: '0.2',
        NOTIFY_POLL_MS: '100',
        LOG_LEVEL: 'warn',
        ...extraEnv,
      },
      log: (line) => {
        if (process.env.BENCH_VERBOSE) process.stdout.write(`${line}\n`);
      },
    });
    await this.system.start();
    return this;
  }

  async stop(): Promise<void> {
    await this.system?.stop();
    await this.env.tearDown();
  }

  async api<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    return json<T>(method, `${this.gatewayUrl}${path}`, body, { authorization: `Bearer ${this.apiKey}` });
  }

  async sandbox<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    return json<T>(method, `${this.sandboxUrl}${path}`, body, {});
  }

  /** Peak resident memory (VmHWM) of each process, in MiB. */
  peakMemory(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, proc] of this.system.processes) {
      if (!proc.pid) continue;
      try {
        const status = readFileSync(`/proc/${proc.pid}/status`, 'utf8');
        const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
        out[name] = Math.round(kb / 1024);
      } catch {
        /* process gone */
      }
    }
    return out;
  }
}

async function json<T>(method: string, url: string, body: unknown, headers: Record<string, string>): Promise<T> {
  const response = await fetch(url, { method, headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

export function arg(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 && process.argv[index + 1] ? process.argv[index + 1] : fallback;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
