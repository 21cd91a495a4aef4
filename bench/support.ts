import { HttpAnswer, RunningSystem } from '@connector/testing';

/** The system as end-to-end tests run it, with calls that fail loudly on an error answer. */
export class BenchSystem extends RunningSystem {
  json<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    return bodyOf(method, path, this.api<T>(method, path, body));
  }

  sandboxJson<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    return bodyOf(method, path, this.sandbox<T>(method, path, body));
  }

  /** A benchmark account of a sandbox seller (one sync a day: the benchmark triggers its own). */
  benchAccount<T = { id: string }>(seller: Parameters<RunningSystem['createAccount']>[0], extra: Record<string, unknown> = {}): Promise<T> {
    return bodyOf('POST', '/api/v1/accounts', this.createAccount<T>(seller, 'EU', { name: 'Bench', syncIntervalSeconds: 86400, ...extra }));
  }

  /** Benchmark accounts of sandbox sellers in one import (POST /api/v1/accounts/import, at most its cap). */
  benchImport(sellers: Parameters<RunningSystem['createAccount']>[0][], extra: Record<string, unknown> = {}): Promise<{ created: number; accounts: { index: number; id: string }[] }> {
    return bodyOf('POST', '/api/v1/accounts/import', this.importAccounts(sellers, 'EU', { name: 'Bench', syncIntervalSeconds: 86400, ...extra }));
  }
}

async function bodyOf<T>(method: string, path: string, answer: Promise<HttpAnswer<T>>): Promise<T> {
  const { status, body } = await answer;
  if (status >= 400) throw new Error(`${method} ${path}: ${status} ${JSON.stringify(body).slice(0, 300)}`);
  return body;
}

export function arg(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 && process.argv[index + 1] ? process.argv[index + 1] : fallback;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
