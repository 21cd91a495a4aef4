import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ImportedAccountsView } from '@connector/contracts';
import { ApiRefusal, type FieldProblem, UsageError } from './gateway-client';
import { describeError } from './output';

/** One account of the file, and where it was (its line in JSON Lines, its place from 1 in a JSON array). */
export interface AccountLine {
  line: number;
  account: Record<string, unknown>;
}

/** What an import did, for people and (with --json) scripts. */
export interface ImportResult {
  created: number;
  failed: number;
  /** With --skip-existing: accounts left out, their seller already had one. */
  skipped: number;
  accounts: { line: number; id: string; sellerId: string; region: string }[];
  /** Each refused account's problems, by line; an account refused only because another of its request was, says so. */
  errors: { line: number; field: string | null; errors: string[] }[];
  /**
   * Set when the import stopped early (a wrong key, a 5xx, the gateway away): why, the lines whose
   * request may or may not have been created (no answer, or a 5xx), and the lines never sent.
   * Ranges of file lines, e.g. "4-6".
   */
  stopped?: { error: string; uncertain: string[]; unsent: string[] };
}

/** The import stopped before its end; `result` is what it did until then (printed before exiting 1). */
export class ImportStopped extends Error {
  constructor(
    readonly result: ImportResult,
    override readonly cause: unknown,
  ) {
    super(describeError(cause).replace(/^error: /, ''));
  }
}

export interface ImportOptions {
  chunk: number;
  skipExisting: boolean;
  /** POST /api/v1/accounts/import; `contentKey` is unique to the request's body (for its idempotency key). */
  post: (body: { accounts: Record<string, unknown>[] }, contentKey: string) => Promise<ImportedAccountsView>;
  progress: (text: string) => void;
}

/**
 * The accounts of a file: a JSON array (or `{ "accounts": [...] }`), else JSON Lines (blank lines
 * skipped). A line that is not an account object is a usage error naming the line, never its text
 * (it holds secrets); nothing is sent then.
 */
export function readAccountsFile(file: string): AccountLine[] {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  const whole = parse(text);
  const list = Array.isArray(whole) ? whole : isObject(whole) && Array.isArray(whole.accounts) ? whole.accounts : undefined;
  const lines: AccountLine[] = [];
  const bad: number[] = [];
  if (list) {
    list.forEach((account, i) => (isObject(account) ? lines.push({ line: i + 1, account }) : bad.push(i + 1)));
  } else {
    text.split('\n').forEach((raw, i) => {
      if (!raw.trim()) return;
      const account = parse(raw);
      if (isObject(account)) lines.push({ line: i + 1, account });
      else bad.push(i + 1);
    });
  }
  if (bad.length) throw new UsageError(`${file}: not an account (a JSON object) at ${list ? 'item' : 'line'} ${bad.slice(0, 20).join(', ')}${bad.length > 20 ? ', …' : ''}; nothing was sent`);
  if (!lines.length) throw new UsageError(`${file} holds no accounts`);
  return lines;
}

/**
 * Sends the accounts in requests of `chunk`, one after another; each request is created whole or
 * not at all. A request refused for its size (413) is split in two and sent again; one refused for
 * its accounts (400, 409) fails them all, each problem said on its line (with --skip-existing,
 * those whose seller already has an account are left out and the rest sent again). Anything else
 * (a wrong key, the gateway away) stops the import: ImportStopped is thrown with what was done so
 * far, and which lines were never sent or may have been created (a rerun with --skip-existing carries on).
 */
export async function importAccounts(lines: AccountLine[], options: ImportOptions): Promise<ImportResult> {
  const result: ImportResult = { created: 0, failed: 0, skipped: 0, accounts: [], errors: [] };
  const pending: AccountLine[][] = [];
  for (let i = 0; i < lines.length; i += options.chunk) pending.push(lines.slice(i, i + options.chunk));
  while (pending.length) {
    const chunk = pending.shift()!;
    const range = `lines ${chunk[0].line}-${chunk[chunk.length - 1].line}`;
    const body = { accounts: chunk.map((l) => l.account) };
    try {
      const imported = await options.post(body, contentKey(body));
      result.created += imported.created;
      for (const account of imported.accounts) result.accounts.push({ line: chunk[account.index].line, id: account.id, sellerId: account.sellerId, region: account.region });
      options.progress(`${range}: ${imported.created} created`);
    } catch (error) {
      if (!(error instanceof ApiRefusal) || ![400, 409, 413].includes(error.status)) {
        // A 4xx was not acted on; no answer or a 5xx (a 503 after the gateway's wait) may have been committed.
        const refusedWhole = error instanceof ApiRefusal && error.status < 500;
        const unsent = [...(refusedWhole ? chunk : []), ...pending.flat()];
        result.errors.sort((a, b) => a.line - b.line);
        result.stopped = { error: describeError(error).split('\n')[0].replace(/^error: /, ''), uncertain: refusedWhole ? [] : lineRanges(chunk), unsent: lineRanges(unsent) };
        throw new ImportStopped(result, error);
      }
      if (error.status === 413 && chunk.length > 1) {
        const half = Math.ceil(chunk.length / 2);
        pending.unshift(chunk.slice(0, half), chunk.slice(half));
        options.progress(`${range}: too large for one request, sent in two`);
        continue;
      }
      const problems = byIndex(error.problem.details ?? []);
      if (error.status === 409 && options.skipExisting && problems.size) {
        const rest = chunk.filter((_, i) => !problems.has(i));
        result.skipped += chunk.length - rest.length;
        options.progress(`${range}: ${chunk.length - rest.length} already there, left out`);
        if (rest.length) pending.unshift(rest);
        continue;
      }
      result.failed += chunk.length;
      const detail = error.problem.detail ?? String(error.problem.message ?? error.status);
      chunk.forEach((l, i) => {
        const own = problems.get(i);
        if (own) for (const p of own) result.errors.push({ line: l.line, field: p.field, errors: p.errors });
        else result.errors.push({ line: l.line, field: null, errors: [problems.size ? 'not created: another account of its request was refused' : `not created: ${detail}`] });
      });
      options.progress(`${range}: refused (${error.status}), nothing of it created`);
    }
  }
  result.errors.sort((a, b) => a.line - b.line);
  return result;
}

/**
 * A key unique to a request's body: a 413 split or a --skip-existing resend starts on the same line
 * with another body, and the gateway answers 422 to a known key with another body. The hash covers
 * the secrets, so only a prefix of it is kept (it goes to the gateway as part of Idempotency-Key).
 */
export function contentKey(body: { accounts: Record<string, unknown>[] }): string {
  return createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 16);
}

/** File lines as ranges ("1-3", "7"), neighbouring accounts of the file joined. */
export function lineRanges(lines: AccountLine[]): string[] {
  const sorted = [...new Set(lines.map((l) => l.line))].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    out.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return out;
}

/** The problems of a refused import by the index of their account in the request (`accounts.<i>.<field>`). */
function byIndex(details: FieldProblem[]): Map<number, FieldProblem[]> {
  const out = new Map<number, FieldProblem[]>();
  for (const detail of details) {
    const match = /^accounts\.(\d+)\.(.+)$/.exec(detail.field);
    if (!match) continue;
    const index = Number(match[1]);
    out.set(index, [...(out.get(index) ?? []), { field: match[2], errors: detail.errors }]);
  }
  return out;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
