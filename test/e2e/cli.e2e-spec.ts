import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { amazonOrder, API_KEY, ROOT_DIR, RunningSystem, waitFor } from '@connector/testing';

const SELLER = { sellerId: 'A2CLITOOL00001', clientId: 'cli-client', clientSecret: 'cli-secret', refreshToken: 'Atzr|cli', marketplaceIds: ['A1PA6795UKMFR9'] };
const recently = () => new Date(Date.now() - 180_000).toISOString();
const ORDERS = ['305-1000001-0000001', '305-1000002-0000002'].map((orderId, i) =>
  amazonOrder({ orderId, lastUpdatedTime: recently(), items: [{ orderItemId: `7${i}000000000001`, sku: 'CLI-SKU', quantity: 2, unitPrice: '12.50', tax: '4.00' }] }),
);
// Quarantined by the first sync (a currency the connector does not know), stored once Amazon's copy is fixed.
const POISON_ID = '305-1000003-0000003';
const poison = (currency: string) => amazonOrder({ orderId: POISON_ID, currency, lastUpdatedTime: recently(), items: [{ orderItemId: '72000000000001', sku: 'CLI-SKU', quantity: 1, unitPrice: '12.50', tax: '2.00' }] });
const BIN = join(ROOT_DIR, 'tools/cli/bin/amazon-connector.js');

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The built CLI as its own process, as a script runs it: `amazon-connector <args>`. */
function cli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const base = { ...process.env };
  for (const name of ['CONNECTOR_URL', 'CONNECTOR_API_KEY', 'AMAZON_LWA_CLIENT_SECRET', 'AMAZON_REFRESH_TOKEN']) delete base[name];
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...base, ...env }, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as any).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('amazon-connector, the command line over the gateway', () => {
  const running = new RunningSystem();
  let settings: Record<string, string>;
  let accountId: string;

  beforeAll(async () => {
    await running.start({ SANDBOX_TIME_SCALE: '20', SPAPI_RATE_SCALE: '20' });
    await running.sandbox('POST', '/_sandbox/sellers', SELLER);
    for (const o of [...ORDERS, poison('QQQ')]) await running.sandbox('POST', `/_sandbox/sellers/${SELLER.sellerId}/orders`, o);
    settings = { CONNECTOR_URL: running.gatewayUrl, CONNECTOR_API_KEY: API_KEY };
  }, 180_000);

  afterAll(() => running.stop(), 60_000);

  it('adds a sandbox account, its secrets from the environment and never printed', async () => {
    const added = await cli(
      ['--json', 'accounts', 'add', '--name', 'CLI shop', '--seller-id', SELLER.sellerId, '--region', 'EU', '--marketplace', ...SELLER.marketplaceIds,
        '--lwa-client-id', SELLER.clientId, '--api-endpoint', running.sandboxUrl, '--lwa-endpoint', `${running.sandboxUrl}/auth/o2/token`, '--no-sync'],
      { ...settings, AMAZON_LWA_CLIENT_SECRET: SELLER.clientSecret, AMAZON_REFRESH_TOKEN: SELLER.refreshToken },
    );
    expect(added).toMatchObject({ code: 0, stderr: '' });
    const account = JSON.parse(added.stdout);
    expect(account).toMatchObject({ name: 'CLI shop', sellerId: SELLER.sellerId, syncEnabled: false });
    expect(added.stdout).not.toContain(SELLER.clientSecret);
    expect(added.stdout).not.toContain(SELLER.refreshToken);
    accountId = account.id;

    const listed = await cli(['accounts', 'list'], settings);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`^${accountId}\\s+CLI shop\\s+${SELLER.sellerId}\\s+EU\\s+A1PA6795UKMFR9\\s+off`, 'm'));
  });

  it('syncs it and follows the run to its end, with progress', async () => {
    const synced = await cli(['--json', 'accounts', 'sync', accountId, '--follow', '--interval', '200'], settings);
    expect(synced.code).toBe(0);
    const run = JSON.parse(synced.stdout);
    expect(run).toMatchObject({ accountId, status: 'succeeded', ordersCreated: 2, ordersQuarantined: 1, errors: [] });
    expect(synced.stderr).toMatch(new RegExp(`^sync run ${run.id} requested$`, 'm'));
    expect(synced.stderr).toMatch(new RegExp(`^run ${run.id}: succeeded: pages \\d+/\\d+ committed, orders seen 3, created 2, updated 0, quarantined 1$`, 'm'));
  });

  it('finds an order by its Amazon id and shows it with its lines and its delivery', async () => {
    const found = await cli(['orders', 'find', '--amazon-order-id', ORDERS[0].orderId], settings);
    expect(found.code).toBe(0);
    expect(found.stdout).toMatch(new RegExp(`^\\S+\\s+${ORDERS[0].orderId}\\s+FBM\\s+`, 'm'));
    expect(found.stdout).not.toContain(ORDERS[1].orderId);

    // The delivery is made by inventory from the order's event: shown once it is there.
    const shown = await waitFor(async () => {
      const answer = await cli(['orders', 'show', ORDERS[0].orderId], settings);
      return answer.code === 0 && /^deliveries:\n/m.test(answer.stdout) ? answer : undefined;
    }, { timeoutMs: 60_000, what: 'the order shown with its delivery' });
    expect(shown.stdout).toMatch(new RegExp(`^amazon order:\\s+${ORDERS[0].orderId}$`, 'm'));
    expect(shown.stdout).toMatch(/^lines:\nKIND\s+SKU[^\n]*\n\S+\s+CLI-SKU\s+\S.*\s2\s+0\s+0\s/m);
    expect(shown.stdout).toMatch(new RegExp(`^deliveries:\\nID[^\\n]*\\n\\S+\\s+${ORDERS[0].orderId}\\s+ready`, 'm'));
  });

  it('validates the FBM delivery with a tracking number; the confirmation reaches Amazon', async () => {
    const order = JSON.parse((await cli(['--json', 'orders', 'show', ORDERS[0].orderId], settings)).stdout);
    const deliveryId = order.deliveries[0].id;
    const validated = await cli(['deliveries', 'validate', deliveryId, '--carrier', 'DHL', '--tracking', '00340434161094042557'], settings);
    expect(validated).toMatchObject({ code: 0, stderr: '' });
    expect(validated.stdout).toBe(`delivery ${deliveryId} validated: done, DHL 00340434161094042557; Amazon is told\n`);
    const shipments = await waitFor(async () => {
      const answer = (await running.sandbox('GET', `/_sandbox/shipments?orderId=${ORDERS[0].orderId}`)).body.shipments as any[];
      return answer?.length ? answer : undefined;
    }, { timeoutMs: 60_000, what: 'the shipment confirmation at the sandbox' });
    expect(shipments[0].packageDetail).toMatchObject({ carrierCode: 'DHL', trackingNumber: '00340434161094042557' });

    // Validating it again is refused by the API: exit code 1, the reason in words.
    const again = await cli(['deliveries', 'validate', deliveryId, '--carrier', 'DHL', '--tracking', '00340434161094042557'], settings);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(new RegExp(`^error: the gateway refused POST /deliveries/${deliveryId}/validate \\(409 Conflict\\)`));
  });

  it('names the failing field of a bad request, exit code 1', async () => {
    const bad = await cli(['deliveries', 'validate', '00000000-0000-4000-8000-000000000000', '--carrier-code', 'NOPE', '--tracking', 'T-1'], settings);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/\(400 Bad Request\)/);
    expect(bad.stderr).toMatch(/^ {2}carrierCode: /m);
  });

  it('imports 1,000 accounts from a JSON Lines file, 500 a request: a bad line fails its request only, a rerun with --skip-existing finishes', async () => {
    const line = (n: number, sellerId = `A2CLIIMP${String(n).padStart(6, '0')}`) =>
      JSON.stringify({ name: `Imported ${n}`, sellerId, region: 'EU', lwaClientId: `cli-imp-${n}`, lwaClientSecret: `cli-imp-secret-${n}`, refreshToken: `Atzr|cli-imp-${n}`, marketplaceIds: ['A1PA6795UKMFR9'], syncEnabled: false });
    const file = join(mkdtempSync(join(tmpdir(), 'cli-import-')), 'sellers.jsonl');
    writeFileSync(file, Array.from({ length: 1000 }, (_, i) => line(i + 1, i === 699 ? 'lower-case' : undefined)).join('\n'));
    const first = await cli(['accounts', 'import', file], settings);
    expect(first.code).toBe(1);
    expect(first.stdout).toContain('created 500, failed 500 of 1000 accounts');
    expect(first.stdout).toMatch(/^ {2}line 700: sellerId: sellerId must be an Amazon merchant token/m);
    expect(first.stdout).toContain('line 701: not created: another account of its request was refused');
    expect(first.stdout + first.stderr).not.toContain('cli-imp-secret');

    writeFileSync(file, Array.from({ length: 1000 }, (_, i) => line(i + 1)).join('\n'));
    const rerun = await cli(['--json', 'accounts', 'import', file, '--skip-existing'], settings);
    expect(rerun.code).toBe(0);
    expect(JSON.parse(rerun.stdout)).toMatchObject({ created: 500, failed: 0, skipped: 500, errors: [] });
    const [{ n }] = await running.env.query<{ n: number }>(`select count(*)::int as n from ingestion.seller_accounts where seller_id like 'A2CLIIMP%' and deleted_at is null`);
    expect(n).toBe(1000);

    // With an Idempotency-Key, the resend without the existing seller (its first line a new one) is another request, not a 422.
    writeFileSync(file, [line(1001), line(1), line(1002)].join('\n'));
    const keyed = await cli(['--idempotency-key', 'cli-import-1', '--json', 'accounts', 'import', file, '--skip-existing'], settings);
    expect(keyed.stderr).not.toContain('422');
    expect(keyed.code).toBe(0);
    expect(JSON.parse(keyed.stdout)).toMatchObject({ created: 2, skipped: 1, failed: 0 });
  });

  it('a wrong key is refused: exit code 1', async () => {
    const refused = await cli(['orders', 'find'], { ...settings, CONNECTOR_API_KEY: 'not-a-key' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/\(401 Unauthorized\)/);
    expect(refused.stderr).toContain('check --key or CONNECTOR_API_KEY');
    expect(refused.stdout).toBe('');
  });

  it('lists the quarantined order with its reason and retries it once Amazon\'s copy is fixed', async () => {
    const listed = await cli(['quarantine', 'list'], settings);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`^${POISON_ID}\\s+${accountId}\\s+A1PA6795UKMFR9\\s+\\d+\\s+\\S+\\s+.*QQQ`, 'm'));

    // Still broken at Amazon: the API refuses to store it (422), said in words, exit code 1.
    const stillBroken = await cli(['quarantine', 'retry', POISON_ID], settings);
    expect(stillBroken.code).toBe(1);
    expect(stillBroken.stderr).toMatch(/\(422 Unprocessable Entity\).*cannot be stored; it is quarantined.*QQQ/);

    await running.sandbox('POST', `/_sandbox/sellers/${SELLER.sellerId}/orders`, poison('EUR'));
    const retried = await cli(['quarantine', 'retry', POISON_ID], settings);
    expect(retried).toMatchObject({ code: 0, stderr: '' });
    expect(retried.stdout).toMatch(new RegExp(`^order ${POISON_ID} stored as \\S+ \\(\\w+\\)$`, 'm'));
    expect(await cli(['quarantine', 'list'], settings)).toMatchObject({ code: 0, stdout: 'nothing quarantined\n' });
    expect(JSON.parse((await cli(['--json', 'orders', 'find', '--amazon-order-id', POISON_ID], settings)).stdout).items).toHaveLength(1);
    // Not (or no longer) in the quarantine: exit code 1, nothing fetched.
    const gone = await cli(['quarantine', 'retry', POISON_ID], settings);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain(`order ${POISON_ID} is not in the quarantine`);
  });

  it('creates a read-only key that may read but not act, lists it, revokes it', async () => {
    const created = await cli(['--json', 'keys', 'create', '--name', 'cli reader', '--scope', 'read'], settings);
    expect(created.code).toBe(0);
    const key = JSON.parse(created.stdout);
    expect(key).toMatchObject({ name: 'cli reader', scopes: ['read'], revokedAt: null, key: expect.any(String) });
    const reader = { ...settings, CONNECTOR_API_KEY: key.key };
    expect((await cli(['orders', 'find', '--amazon-order-id', ORDERS[1].orderId], reader)).stdout).toContain(ORDERS[1].orderId);
    const refused = await cli(['notifications', 'retry', '--failed'], reader);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/\(403 Forbidden\)/);

    const listed = await cli(['keys', 'list'], settings);
    expect(listed.stdout).toMatch(new RegExp(`^${key.id}\\s+cli reader\\s+${key.keyPrefix}\\s+read\\s+all\\s`, 'm'));
    expect(listed.stdout).not.toContain(key.key);
    expect(await cli(['keys', 'revoke', key.id], settings)).toMatchObject({ code: 0, stdout: `key ${key.id} revoked\n` });
    expect((await cli(['orders', 'find'], reader)).code).toBe(1);
  });

  it('the gateway down: exit code 3', async () => {
    await running.system.process('gateway').stop();
    const down = await cli(['orders', 'find'], settings);
    expect(down.code).toBe(3);
    expect(down.stderr).toContain(`cannot reach the gateway at ${running.gatewayUrl}: ECONNREFUSED`);
  });
});
