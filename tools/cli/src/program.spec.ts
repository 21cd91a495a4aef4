import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliIo, runCli } from './program';
import { ApiRefusal, GatewayUnreachable, UsageError } from './gateway-client';
import { cell, describeError, EXIT, exitCodeOf, table } from './output';
import { contentKey } from './import-accounts';

interface Call {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: any;
}

/** A CLI run against answers given per "METHOD path" (path without /api/v1), recording the requests. */
function cli(answers: Record<string, Array<{ status: number; body?: unknown }> | { status: number; body?: unknown } | Error>, env: Record<string, string> = { CONNECTOR_API_KEY: 'test-key' }) {
  const calls: Call[] = [];
  const out: string[] = [];
  const err: string[] = [];
  const fetchStub = (async (url: string, init: RequestInit) => {
    const path = new URL(url).pathname.replace(/^\/api\/v1/, '') + new URL(url).search;
    calls.push({ method: init.method!, url, headers: init.headers as Record<string, string>, body: init.body ? JSON.parse(init.body as string) : undefined });
    const answer = answers[`${init.method} ${path}`];
    if (answer === undefined) throw new Error(`no answer for ${init.method} ${path}`);
    if (answer instanceof Error) throw answer;
    const next = Array.isArray(answer) ? (answer.length > 1 ? answer.shift()! : answer[0]) : answer;
    return new Response(next.body === undefined ? null : JSON.stringify(next.body), { status: next.status, headers: { 'content-type': next.status >= 400 ? 'application/problem+json' : 'application/json' } });
  }) as unknown as typeof fetch;
  let clock = 0;
  const io: CliIo = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env, fetch: fetchStub, sleep: async (ms) => void (clock += ms), now: () => clock };
  return {
    calls,
    run: (...args: string[]) => runCli(args, io),
    get stdout() {
      return out.join('');
    },
    get stderr() {
      return err.join('');
    },
  };
}

const refused = (error: Error) => Object.assign(new TypeError('fetch failed'), { cause: error });
const order = {
  id: 'so-1',
  accountId: 'acc-1',
  marketplaceId: 'A1PA6795UKMFR9',
  amazonOrderId: '304-0000001-0000001',
  channel: 'FBM',
  status: 'confirmed',
  amazonStatus: 'Unshipped',
  currency: 'EUR',
  purchasedAt: '2026-12-07T10:00:00.000Z',
  amazonTotal: '11.60',
  linesTotal: '11.60',
  reconciled: true,
  deliveryState: 'ready',
  giftMessage: null,
  buyerCancelRequested: false,
  latestShipDate: '2026-12-08T23:59:59.000Z',
  lines: [{ kind: 'product', sku: 'SKU-1', name: 'A mug', quantity: 1, quantityShipped: 0, quantityCancelled: 0, unitPriceTaxIncluded: '11.60', taxAmount: '1.60', totalTaxIncluded: '11.60', currency: 'EUR' }],
  deliveries: [{ id: 'dl-1', amazonOrderId: '304-0000001-0000001', state: 'ready', onHold: false, latestShipDate: null, carrierCode: null, trackingNumber: null, shipFrom: { name: 'Berlin' } }],
  notifications: [],
};

describe('amazon-connector CLI', () => {
  describe('exit codes', () => {
    it('0 and a table when the gateway answers; the key goes as bearer token', async () => {
      const c = cli({ 'GET /orders?amazonOrderId=304-0000001-0000001': { status: 200, body: { items: [order] } } });
      expect(await c.run('orders', 'find', '--amazon-order-id', '304-0000001-0000001')).toBe(EXIT.ok);
      expect(c.calls[0].headers.authorization).toBe('Bearer test-key');
      expect(c.calls[0].url).toBe('http://127.0.0.1:3000/api/v1/orders?amazonOrderId=304-0000001-0000001');
      const [header, row] = c.stdout.trim().split('\n');
      expect(header).toMatch(/^ID\s+AMAZON ORDER\s+CHANNEL\s+STATUS/);
      expect(row).toMatch(/^so-1\s+304-0000001-0000001\s+FBM\s+confirmed/);
      // Columns line up: the status starts where its header does.
      expect(row.indexOf('confirmed')).toBe(header.indexOf('STATUS'));
    });

    it('1 when the gateway refuses, the failing fields in words on stderr', async () => {
      const problem = { type: 'about:blank', title: 'Bad Request', status: 400, detail: 'Validation failed', details: [{ field: 'trackingNumber', errors: ['trackingNumber must be shorter than or equal to 100 characters'] }] };
      const c = cli({ 'POST /deliveries/dl-1/validate': { status: 400, body: problem } });
      expect(await c.run('deliveries', 'validate', 'dl-1', '--carrier', 'DHL', '--tracking', 'x'.repeat(101))).toBe(EXIT.refused);
      expect(c.stderr).toContain('the gateway refused POST /deliveries/dl-1/validate (400 Bad Request): Validation failed');
      expect(c.stderr).toContain('  trackingNumber: trackingNumber must be shorter than or equal to 100 characters');
      expect(c.stdout).toBe('');
    });

    it('1 for a wrong key, saying where the key comes from', async () => {
      const c = cli({ 'GET /accounts': { status: 401, body: { title: 'Unauthorized', status: 401, detail: 'invalid API key' } } });
      expect(await c.run('accounts', 'list')).toBe(EXIT.refused);
      expect(c.stderr).toMatch(/401 Unauthorized.*\n.*--key or CONNECTOR_API_KEY/);
    });

    it('1 for an Amazon order id that no order has', async () => {
      const c = cli({ 'GET /orders?amazonOrderId=304-9999999-9999999': { status: 200, body: { items: [] } } });
      expect(await c.run('orders', 'show', '304-9999999-9999999')).toBe(EXIT.refused);
      expect(c.stderr).toContain('no order with Amazon order id 304-9999999-9999999');
    });

    it('2 for usage errors: no key, an unknown command, a bad option value, a missing option, a bad URL', async () => {
      const noKey = cli({}, {});
      expect(await noKey.run('orders', 'find')).toBe(EXIT.usage);
      expect(noKey.stderr).toContain('no API key');
      expect(await cli({}).run('orders', 'fnd')).toBe(EXIT.usage);
      expect(await cli({}).run('orders')).toBe(EXIT.usage);
      const badLimit = cli({});
      expect(await badLimit.run('orders', 'find', '--limit', '0')).toBe(EXIT.usage);
      expect(badLimit.stderr).toContain('--limit takes a whole number');
      expect(await cli({}).run('deliveries', 'validate', 'dl-1', '--carrier', 'DHL')).toBe(EXIT.usage);
      expect(await cli({}).run('deliveries', 'validate', 'dl-1', '--tracking', 'T1')).toBe(EXIT.usage);
      expect(await cli({}).run('--url', 'localhost:3000', 'orders', 'find')).toBe(EXIT.usage);
      expect(await cli({}).run('keys', 'create', '--name', 'ci', '--scope', 'root')).toBe(EXIT.usage);
    });

    it('0 for --help, which lists the exit codes', async () => {
      const c = cli({});
      expect(await c.run('--help')).toBe(EXIT.ok);
      expect(c.stdout).toMatch(/Exit codes: 0 done; 1 the gateway refused/);
    });

    it('3 when the gateway cannot be reached, with the reason', async () => {
      const c = cli({ 'GET /orders': refused(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3999'), { code: 'ECONNREFUSED' })) }, { CONNECTOR_API_KEY: 'k', CONNECTOR_URL: 'http://127.0.0.1:3999/' });
      expect(await c.run('orders', 'find')).toBe(EXIT.unreachable);
      expect(c.stderr).toContain('cannot reach the gateway at http://127.0.0.1:3999: ECONNREFUSED');
    });

    it('maps each error to its code', () => {
      expect(exitCodeOf(new ApiRefusal('GET', '/x', 404, {}))).toBe(1);
      expect(exitCodeOf(new UsageError('x'))).toBe(2);
      expect(exitCodeOf(new GatewayUnreachable('http://h', 'ENOTFOUND'))).toBe(3);
    });
  });

  describe('--json', () => {
    it('prints the answer as JSON on stdout', async () => {
      const page = { items: [order], nextCursor: 'abc' };
      const c = cli({ 'GET /orders?status=confirmed&limit=1': { status: 200, body: page } });
      expect(await c.run('--json', 'orders', 'find', '--status', 'confirmed', '--limit', '1')).toBe(EXIT.ok);
      expect(JSON.parse(c.stdout)).toEqual(page);
    });
  });

  describe('commands', () => {
    it('orders show by Amazon order id: its fields, lines and deliveries', async () => {
      const c = cli({ 'GET /orders?amazonOrderId=304-0000001-0000001': { status: 200, body: { items: [order] } }, 'GET /orders/so-1': { status: 200, body: order } });
      expect(await c.run('orders', 'show', '304-0000001-0000001')).toBe(EXIT.ok);
      expect(c.stdout).toMatch(/amazon order:\s+304-0000001-0000001/);
      expect(c.stdout).toMatch(/lines:\nKIND\s+SKU\s+NAME[^\n]*\nproduct\s+SKU-1\s+A mug\s+1\s+0\s+0\s+11.60\s+1.60\s+11.60 EUR/);
      expect(c.stdout).toMatch(/deliveries:\nID[^\n]*\ndl-1\s+304-0000001-0000001\s+ready/);
    });

    it('accounts add takes the secrets from the environment, sends them, never prints them', async () => {
      const account = { id: 'acc-1', name: 'EU shop', sellerId: 'A2EU', region: 'EU', marketplaceIds: ['A1PA6795UKMFR9'], syncEnabled: true, syncIntervalSeconds: 300, lastSyncedUntil: null };
      const c = cli({ 'POST /accounts': { status: 201, body: account } }, { CONNECTOR_API_KEY: 'k', AMAZON_LWA_CLIENT_SECRET: 'very-secret', AMAZON_REFRESH_TOKEN: 'Atzr|secret' });
      expect(await c.run('accounts', 'add', '--name', 'EU shop', '--seller-id', 'A2EU', '--region', 'EU', '--marketplace', 'A1PA6795UKMFR9', '--lwa-client-id', 'client', '--no-sync')).toBe(EXIT.ok);
      expect(c.calls[0].body).toEqual({ name: 'EU shop', sellerId: 'A2EU', region: 'EU', marketplaceIds: ['A1PA6795UKMFR9'], lwaClientId: 'client', lwaClientSecret: 'very-secret', refreshToken: 'Atzr|secret', syncEnabled: false });
      expect(c.stdout).toContain('added account acc-1');
      expect(c.stdout + c.stderr).not.toMatch(/very-secret|Atzr/);
    });

    it('accounts add without the secrets is a usage error, before any request', async () => {
      const c = cli({});
      expect(await c.run('accounts', 'add', '--name', 'n', '--seller-id', 'A2EU', '--region', 'EU', '--marketplace', 'M', '--lwa-client-id', 'c')).toBe(EXIT.usage);
      expect(c.stderr).toContain('missing lwaClientSecret and refreshToken');
      expect(c.calls).toHaveLength(0);
    });

    const run = (status: string, extra: Record<string, unknown> = {}) => ({
      id: 'run-1', accountId: 'acc-1', status, step: status === 'running' ? 'fetch page 1' : null, pagesFetched: 1, pagesCommitted: status === 'running' ? 0 : 1,
      ordersSeen: 3, ordersCreated: status === 'running' ? 0 : 3, ordersUpdated: 0, ordersUnchanged: 0, ordersQuarantined: 0, apiCalls: 2, throttled: 0, rateLimitWaits: 0, rateLimitWaitSeconds: 0,
      requestedAt: '2026-12-07T10:00:00.000Z', finishedAt: null, windowFrom: null, windowTo: null, errors: [], ...extra,
    });

    it('accounts sync --follow shows progress on stderr until the run ends, the run on stdout', async () => {
      const c = cli({
        'POST /accounts/acc-1/sync': { status: 202, body: { accountId: 'acc-1', runId: 'run-1', requestedAt: '2026-12-07T10:00:00.000Z', status: 'queued', alreadyRunning: false } },
        'GET /accounts/acc-1/sync-runs/run-1': [{ status: 200, body: run('queued') }, { status: 200, body: run('running') }, { status: 200, body: run('running') }, { status: 200, body: run('succeeded') }],
      });
      expect(await c.run('--json', 'accounts', 'sync', 'acc-1', '--follow')).toBe(EXIT.ok);
      const progress = c.stderr.trim().split('\n');
      expect(progress).toEqual([
        'sync run run-1 requested',
        expect.stringMatching(/^run run-1: queued: /),
        'run run-1: running (fetch page 1): pages 0/1 committed, orders seen 3, created 0, updated 0, quarantined 0',
        expect.stringMatching(/^run run-1: succeeded: pages 1\/1 committed, orders seen 3, created 3/),
      ]);
      expect(JSON.parse(c.stdout)).toMatchObject({ id: 'run-1', status: 'succeeded', ordersCreated: 3 });
    });

    it('a followed run that failed is exit code 1, with its errors', async () => {
      const c = cli({ 'GET /accounts/acc-1/sync-runs/run-1': { status: 200, body: run('failed', { errors: ['LWA refused the refresh token'] }) } });
      expect(await c.run('accounts', 'follow', 'acc-1', 'run-1')).toBe(EXIT.refused);
      expect(c.stderr).toContain('sync run run-1 failed: LWA refused the refresh token');
    });

    it('following waits out a gateway that goes away for less than --patience, and gives up after it (exit 3)', async () => {
      const down = refused(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
      const unavailable = { status: 503, body: { title: 'Service Unavailable', status: 503, detail: 'order-ingestion did not answer' } };
      const c = cli({ 'GET /accounts/acc-1/sync-runs/run-1': [{ status: 200, body: run('running') }, unavailable, { status: 200, body: run('succeeded') }] });
      expect(await c.run('accounts', 'follow', 'acc-1', 'run-1', '--interval', '1000')).toBe(EXIT.ok);
      expect(c.stderr).toContain('run run-1: the gateway refused GET /accounts/acc-1/sync-runs/run-1 (503 Service Unavailable): order-ingestion did not answer; trying again');
      expect(c.stdout).toMatch(/^status:\s+succeeded$/m);

      const gone = cli({ 'GET /accounts/acc-1/sync-runs/run-1': down });
      expect(await gone.run('accounts', 'follow', 'acc-1', 'run-1', '--interval', '1000', '--patience', '5')).toBe(EXIT.unreachable);
      // Tried at 0, 1, ..., 4 s, and given up at 5 s.
      expect(gone.calls).toHaveLength(6);
      expect(gone.stderr).toMatch(/error: cannot reach the gateway at http:\/\/127.0.0.1:3000: ECONNREFUSED/);

      // A refusal that waiting does not change ends it at once.
      const unknown = cli({ 'GET /accounts/acc-1/sync-runs/run-9': { status: 404, body: { title: 'Not Found', status: 404, detail: 'no sync run run-9' } } });
      expect(await unknown.run('accounts', 'follow', 'acc-1', 'run-9')).toBe(EXIT.refused);
      expect(unknown.calls).toHaveLength(1);
    });

    it('quarantine retry looks the account up and fetches the order again', async () => {
      const c = cli({
        'GET /orders/quarantined?limit=500': { status: 200, body: { items: [{ id: 'q1', accountId: 'acc-9', amazonOrderId: '304-0000002-0000002' }] } },
        'POST /accounts/acc-9/orders/304-0000002-0000002/sync': { status: 200, body: { ...order, id: 'so-2', amazonOrderId: '304-0000002-0000002' } },
      });
      expect(await c.run('quarantine', 'retry', '304-0000002-0000002')).toBe(EXIT.ok);
      expect(c.stdout).toContain('order 304-0000002-0000002 stored as so-2 (confirmed)');
    });

    it('notifications retry: one by id, or the failed ones by filter; not both', async () => {
      const c = cli({ 'POST /notifications/n-1/retry': { status: 202, body: { id: 'n-1', kind: 'shipment_confirmation', amazonOrderId: '304-0000001-0000001', state: 'pending' } }, 'POST /notifications/retry': { status: 202, body: { retried: 2, ids: ['n-2', 'n-3'] } } });
      expect(await c.run('notifications', 'retry', 'n-1')).toBe(EXIT.ok);
      expect(c.stdout).toContain('notification n-1 (shipment_confirmation of 304-0000001-0000001) is pending: sent again now');
      expect(await c.run('notifications', 'retry', '--failed', '--kind', 'cancellation', '--max', '10')).toBe(EXIT.ok);
      expect(c.calls[1].body).toEqual({ kind: 'cancellation', limit: 10 });
      expect(c.stdout).toContain('2 failed notification(s) sent again: n-2, n-3');
      expect(await c.run('notifications', 'retry', 'n-1', '--failed')).toBe(EXIT.usage);
      expect(await c.run('notifications', 'retry')).toBe(EXIT.usage);
    });

    it('keys create prints the new key once; --idempotency-key goes with POSTs', async () => {
      const created = { id: 'k-1', name: 'ci', keyPrefix: 'ack_ab', scopes: ['read'], accountIds: null, createdBy: 'admin', createdAt: '2026-12-07T10:00:00.000Z', revokedAt: null, key: 'ack_abcdef' };
      const c = cli({ 'POST /keys': { status: 201, body: created }, 'DELETE /keys/k-1': { status: 204 } });
      expect(await c.run('--idempotency-key', 'once-1', 'keys', 'create', '--name', 'ci', '--scope', 'read')).toBe(EXIT.ok);
      expect(c.calls[0].headers['idempotency-key']).toBe('once-1');
      expect(c.calls[0].body).toEqual({ name: 'ci', scopes: ['read'] });
      expect(c.stdout).toContain('key (shown this once): ack_abcdef');
      expect(await c.run('keys', 'revoke', 'k-1')).toBe(EXIT.ok);
      expect(c.stdout).toContain('key k-1 revoked');
    });
  });

  describe('accounts import', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-import-'));
    const acc = (n: number) => ({ name: `Shop ${n}`, sellerId: `A2SHOP${String(n).padStart(6, '0')}`, region: 'EU', lwaClientId: 'c', lwaClientSecret: `secret-${n}`, refreshToken: `Atzr|token-${n}`, marketplaceIds: ['A1PA6795UKMFR9'] });
    const created = (accounts: any[]) => ({ created: accounts.length, accounts: accounts.map((a, index) => ({ index, id: `id-${a.sellerId}`, name: a.name, sellerId: a.sellerId, region: a.region, firstSyncAt: '2026-12-07T22:00:00.000Z' })) });
    const file = (name: string, text: string) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    };

    it('sends JSON Lines in chunks, each to POST /accounts/import, and prints created and failed counts with errors by line', async () => {
      const lines = [acc(1), acc(2), acc(3), acc(4), acc(5)].map((a) => JSON.stringify(a));
      // A blank line counts as a line: errors name the lines of the file.
      const path = file('accounts.jsonl', `${lines.slice(0, 2).join('\n')}\n\n${lines.slice(2).join('\n')}\n`);
      const problem = { status: 400, title: 'Bad Request', detail: 'Validation failed', details: [{ field: 'accounts.1.sellerId', errors: ['sellerId must be an Amazon merchant token'] }] };
      const c = cli({ 'POST /accounts/import': [{ status: 201, body: created([acc(1), acc(2)]) }, { status: 400, body: problem }, { status: 201, body: created([acc(5)]) }] });
      expect(await c.run('accounts', 'import', path, '--chunk', '2')).toBe(EXIT.refused);
      expect(c.calls.map((call) => call.body.accounts.map((a: any) => a.sellerId))).toEqual([
        ['A2SHOP000001', 'A2SHOP000002'],
        ['A2SHOP000003', 'A2SHOP000004'],
        ['A2SHOP000005'],
      ]);
      // The secrets go to the gateway as given, and are printed nowhere.
      expect(c.calls[0].body.accounts[0]).toEqual(acc(1));
      expect(c.stdout).toContain('created 3, failed 2 of 5 accounts');
      expect(c.stdout).toContain('line 4: not created: another account of its request was refused');
      expect(c.stdout).toContain('line 5: sellerId: sellerId must be an Amazon merchant token');
      expect(c.stderr).toContain('lines 4-5: refused (400), nothing of it created');
      expect(c.stderr).toContain('error: 2 of 5 accounts were not created');
      expect(c.stdout + c.stderr).not.toMatch(/secret-|Atzr/);
    });

    it('takes a JSON array; splits a request the gateway finds too large; --json answers the result; exit 0 when all were created', async () => {
      const path = file('accounts.json', JSON.stringify([acc(1), acc(2), acc(3)]));
      const tooLarge = { status: 413, title: 'Payload Too Large', detail: 'send about 2 at a time; nothing was created' };
      const c = cli({ 'POST /accounts/import': [{ status: 413, body: tooLarge }, { status: 201, body: created([acc(1), acc(2)]) }, { status: 201, body: created([acc(3)]) }] });
      expect(await c.run('--json', 'accounts', 'import', path)).toBe(EXIT.ok);
      expect(c.calls.map((call) => call.body.accounts.length)).toEqual([3, 2, 1]);
      const result = JSON.parse(c.stdout);
      expect(result).toMatchObject({ created: 3, failed: 0, skipped: 0, errors: [] });
      expect(result.accounts.map((a: any) => [a.line, a.id])).toEqual([[1, 'id-A2SHOP000001'], [2, 'id-A2SHOP000002'], [3, 'id-A2SHOP000003']]);
    });

    it('--skip-existing leaves out sellers that already have an account and sends the rest again; an Idempotency-Key per request', async () => {
      const path = file('rerun.jsonl', [acc(1), acc(2), acc(3)].map((a) => JSON.stringify(a)).join('\n'));
      const exists = { status: 409, title: 'Conflict', detail: '2 of the 3 sellers already have an account; nothing was created', details: [{ field: 'accounts.0.sellerId', errors: ['already account x'] }, { field: 'accounts.2.sellerId', errors: ['already account y'] }] };
      const c = cli({ 'POST /accounts/import': [{ status: 409, body: exists }, { status: 201, body: created([acc(2)]) }] });
      expect(await c.run('--idempotency-key', 'run-1', 'accounts', 'import', path, '--skip-existing')).toBe(EXIT.ok);
      expect(c.calls[1].body.accounts.map((a: any) => a.sellerId)).toEqual(['A2SHOP000002']);
      expect(c.calls.map((call) => call.headers['idempotency-key'])).toEqual(c.calls.map((call) => `run-1-${contentKey(call.body)}`));
      expect(c.stdout).toContain('created 1, failed 0, skipped 2 (already there) of 3 accounts');
      // Without it, the request fails, each existing seller said on its line.
      const strict = cli({ 'POST /accounts/import': { status: 409, body: exists } });
      expect(await strict.run('accounts', 'import', path)).toBe(EXIT.refused);
      expect(strict.stdout).toContain('line 1: sellerId: already account x');
      expect(strict.stdout).toContain('line 2: not created: another account of its request was refused');
    });

    /** The gateway's idempotency: a known key with another body is refused with a 422. */
    const keyed = (answers: Array<{ status: number; body?: unknown }>) => {
      const c = cli({ 'POST /accounts/import': answers });
      return {
        c,
        reused: () => {
          const seen = new Map<string, string>();
          return c.calls.filter((call) => {
            const key = call.headers['idempotency-key'];
            const before = seen.get(key);
            seen.set(key, JSON.stringify(call.body));
            return before !== undefined && before !== JSON.stringify(call.body);
          });
        },
      };
    };

    it('with --idempotency-key, the halves of a request split for a 413 each have their own key', async () => {
      const path = file('split.jsonl', [acc(1), acc(2), acc(3)].map((a) => JSON.stringify(a)).join('\n'));
      const tooLarge = { status: 413, title: 'Payload Too Large', detail: 'nothing was created' };
      const { c, reused } = keyed([{ status: 413, body: tooLarge }, { status: 201, body: created([acc(1), acc(2)]) }, { status: 201, body: created([acc(3)]) }]);
      expect(await c.run('--idempotency-key', 'run-2', 'accounts', 'import', path)).toBe(EXIT.ok);
      expect(c.calls.map((call) => call.body.accounts.length)).toEqual([3, 2, 1]);
      expect(reused()).toEqual([]);
      expect(new Set(c.calls.map((call) => call.headers['idempotency-key'])).size).toBe(3);
      // The same content is the same key (a rerun replays, not creates twice).
      expect(c.calls[0].headers['idempotency-key']).toBe(`run-2-${contentKey({ accounts: [acc(1), acc(2), acc(3)] })}`);
    });

    it('with --idempotency-key and --skip-existing, the resend without the existing sellers has its own key when its first line is a new seller', async () => {
      const path = file('rerun-new-first.jsonl', [acc(1), acc(2), acc(3)].map((a) => JSON.stringify(a)).join('\n'));
      const exists = { status: 409, title: 'Conflict', detail: '1 of the 3 sellers already has an account', details: [{ field: 'accounts.1.sellerId', errors: ['already account x'] }] };
      const { c, reused } = keyed([{ status: 409, body: exists }, { status: 201, body: created([acc(1), acc(3)]) }]);
      expect(await c.run('--idempotency-key', 'run-3', 'accounts', 'import', path, '--skip-existing')).toBe(EXIT.ok);
      expect(c.calls[1].body.accounts.map((a: any) => a.sellerId)).toEqual(['A2SHOP000001', 'A2SHOP000003']);
      expect(reused()).toEqual([]);
      expect(c.stdout).toContain('created 2, failed 0, skipped 1 (already there) of 3 accounts');
    });

    it('a 5xx midway prints what was created, the lines that may have been and those never sent, also with --json; exit 1', async () => {
      const path = file('five.jsonl', [acc(1), acc(2), acc(3), acc(4), acc(5)].map((a) => JSON.stringify(a)).join('\n'));
      const unavailable = { status: 503, title: 'Service Unavailable', detail: 'the import did not answer in time' };
      const answers = () => [{ status: 201, body: created([acc(1), acc(2)]) }, { status: 503, body: unavailable }];
      const json = cli({ 'POST /accounts/import': answers() });
      expect(await json.run('--json', 'accounts', 'import', path, '--chunk', '2')).toBe(EXIT.refused);
      expect(json.calls).toHaveLength(2);
      const result = JSON.parse(json.stdout);
      expect(result).toMatchObject({ created: 2, failed: 0, stopped: { uncertain: ['3-4'], unsent: ['5'] } });
      expect(result.accounts.map((a: any) => a.id)).toEqual(['id-A2SHOP000001', 'id-A2SHOP000002']);
      expect(result.stopped.error).toContain('503');
      expect(json.stderr).toContain('error: the import stopped');
      const text = cli({ 'POST /accounts/import': answers() });
      expect(await text.run('accounts', 'import', path, '--chunk', '2')).toBe(EXIT.refused);
      expect(text.stdout).toContain('created 2, failed 0 of 5 accounts');
      expect(text.stdout).toContain('lines 3-4: no clear answer, may have been created');
      expect(text.stdout).toContain('lines 5: not sent');
    });

    it('a 401 or 403 midway: that request and the rest are listed as not sent', async () => {
      const path = file('three.jsonl', [acc(1), acc(2), acc(3)].map((a) => JSON.stringify(a)).join('\n'));
      const c = cli({ 'POST /accounts/import': [{ status: 201, body: created([acc(1)]) }, { status: 401, body: { status: 401, title: 'Unauthorized' } }] });
      expect(await c.run('--json', 'accounts', 'import', path, '--chunk', '1')).toBe(EXIT.refused);
      expect(JSON.parse(c.stdout)).toMatchObject({ created: 1, stopped: { uncertain: [], unsent: ['2-3'] } });
    });

    it('a file with a line that is not an account is a usage error naming the line, never its text; nothing is sent', async () => {
      const path = file('broken.jsonl', `${JSON.stringify(acc(1))}\n{"refreshToken": "Atzr|half\n`);
      const c = cli({});
      expect(await c.run('accounts', 'import', path)).toBe(EXIT.usage);
      expect(c.stderr).toContain('not an account (a JSON object) at line 2; nothing was sent');
      expect(c.stderr).not.toContain('Atzr');
      expect(c.calls).toEqual([]);
      expect(await c.run('accounts', 'import', path, '--chunk', '501')).toBe(EXIT.usage);
    });

    it('stops at a refusal that is not about the accounts (a wrong key), with the gateway\'s words', async () => {
      const path = file('two.jsonl', [acc(1), acc(2)].map((a) => JSON.stringify(a)).join('\n'));
      const c = cli({ 'POST /accounts/import': { status: 403, body: { status: 403, title: 'Forbidden', detail: 'this API key does not have the admin scope' } } });
      expect(await c.run('accounts', 'import', path, '--chunk', '1')).toBe(EXIT.refused);
      expect(c.calls).toHaveLength(1);
      expect(c.stderr).toContain('(403 Forbidden): this API key does not have the admin scope');
    });
  });

  describe('formatting', () => {
    it('pads columns, shows missing values as -, cuts long cells', () => {
      const text = table([{ header: 'name', value: (r: any) => r.name }, { header: 'note', value: (r: any) => r.note }], [{ name: 'a', note: null }, { name: 'longer', note: 'x'.repeat(80) }], 10);
      expect(text.split('\n')).toEqual(['NAME    NOTE', 'a       -', `longer  ${'x'.repeat(9)}…`]);
      expect(cell(['a', 'b'], 20)).toBe('a,b');
      expect(cell('two\nlines', 20)).toBe('two lines');
    });

    it('an answer without problem+json still says its status', () => {
      expect(describeError(new ApiRefusal('GET', '/orders/x', 502, { detail: 'Bad Gateway' }))).toBe('error: the gateway refused GET /orders/x (502): Bad Gateway');
    });
  });
});
