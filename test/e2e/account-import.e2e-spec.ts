import { connect, NatsConnection } from 'nats';
import { Client } from 'pg';
import { IMPORT_ACCOUNTS_MAX, natsInboxPrefix } from '@connector/contracts';
import { API_KEY, NATS_URL, RunningSystem, waitFor } from '@connector/testing';

const MARKETPLACE = 'A1PA6795UKMFR9';

/** An account of the import as the API takes it (not a sandbox seller: sync off unless said). */
function account(n: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: `Import ${n}`,
    sellerId: `A2IMPORT${String(n).padStart(6, '0')}`,
    region: 'EU',
    lwaClientId: `amzn1.application-oa2-client.import${n}`,
    lwaClientSecret: `import-client-secret-${n}`,
    refreshToken: `Atzr|import-refresh-token-${n}`,
    marketplaceIds: [MARKETPLACE],
    syncEnabled: false,
    ...extra,
  };
}

/**
 * Many accounts at once (issue 18): POST /api/v1/accounts/import through the gateway, over NATS,
 * into order-ingestion's database; all or nothing, each problem by index, secrets sealed on the
 * way and at rest, an audit entry per account.
 */
describe('accounts import: many seller accounts in one request, all or nothing', () => {
  const running = new RunningSystem();
  /** Everything that crosses the NATS server while the tests run, as text. */
  let wire: NatsConnection;
  const onTheWire: string[] = [];

  beforeAll(async () => {
    // Poses as the gateway (answers go to its inbox), as a NATS client without permissions can.
    wire = await connect({ servers: NATS_URL, inboxPrefix: natsInboxPrefix('gateway') });
    wire.subscribe('>', { callback: (_err, msg) => onTheWire.push(`${msg.subject} ${Buffer.from(msg.data).toString('utf8')}`) });
    await running.start();
  });
  afterAll(async () => {
    await wire?.close();
    await running.stop();
  });

  const importing = async (accounts: unknown[], headers: Record<string, string> = {}) => {
    const res = await fetch(`${running.gatewayUrl}/api/v1/accounts/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ accounts }),
    });
    return { status: res.status, headers: res.headers, body: await res.json() };
  };
  const accountCount = async () => (await running.env.query<{ n: number }>(`select count(*)::int as n from ingestion.seller_accounts`))[0].n;
  const fields = (body: any) => (body.details ?? []).map((d: any) => d.field);

  it('refuses 2 valid and 1 invalid account with a 400 naming index 2 and its field, and creates nothing', async () => {
    const answer = await importing([account(1), account(2), account(3, { sellerId: 'not a seller', marketplaceIds: ['ATVPDKIKX0DER'] })]);
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(fields(answer.body)).toEqual(['accounts.2.sellerId']);
    expect(await accountCount()).toBe(0);
    // What only order-ingestion knows (the marketplace's region, allowed endpoints) is named the same way.
    const foreign = await importing([account(1), account(2, { marketplaceIds: ['ATVPDKIKX0DER'] }), account(3, { apiEndpoint: 'https://example.com' })]);
    expect(foreign.status).toBe(400);
    expect(fields(foreign.body)).toEqual(['accounts.1.marketplaceIds', 'accounts.2.apiEndpoint']);
    expect(foreign.body.details[0].errors[0]).toMatch(/not in region EU: ATVPDKIKX0DER \(NA\)/);
    expect(await accountCount()).toBe(0);
    // The refused request is in the audit log once, without a secret.
    const [entry] = await running.env.query<{ status: number; changes: string }>(`select status, changes::text from access.audit_log where path = '/api/v1/accounts/import' order by created_at limit 1`);
    expect(entry.status).toBe(400);
    expect(entry.changes).not.toMatch(/import-client-secret|import-refresh-token/);
  });

  it('refuses an empty import and one over the cap with a 400 on accounts', async () => {
    const empty = await importing([]);
    expect(empty.status).toBe(400);
    expect(fields(empty.body)).toContain('accounts');
    const over = await importing(Array.from({ length: IMPORT_ACCOUNTS_MAX + 1 }, (_, i) => account(1000 + i)));
    expect(over.status).toBe(400);
    expect(fields(over.body)).toEqual(['accounts']);
    expect(over.body.details[0].errors[0]).toMatch(/no more than 500/);
    expect(await accountCount()).toBe(0);
  });

  it('refuses, whole, accounts whose sealed secrets would not fit one NATS message: 413, nothing created', async () => {
    // 330 accounts with refresh tokens of 2,000 characters: about 770 KB of body (within the 1 MiB), about 1 MB sealed.
    const answer = await importing(Array.from({ length: 330 }, (_, i) => account(2000 + i, { refreshToken: `Atzr|${String(i).padEnd(1995, 'x')}` })));
    expect(answer.status).toBe(413);
    expect(answer.body.detail).toMatch(/send about \d+ at a time; nothing was created/);
    expect(await accountCount()).toBe(0);
  });

  it('refuses a seller twice in the import (400) and one that already has an account (409), by index, creating nothing', async () => {
    const twice = await importing([account(10), account(11), account(10, { name: 'again' })]);
    expect(twice.status).toBe(400);
    expect(fields(twice.body)).toEqual(['accounts.2.sellerId']);
    expect(twice.body.details[0].errors[0]).toMatch(/accounts\.0 of this import/);
    const single = await running.api('POST', '/api/v1/accounts', account(11));
    expect(single.status).toBe(201);
    const existing = await importing([account(10), account(11), account(12)]);
    expect(existing.status).toBe(409);
    expect(fields(existing.body)).toEqual(['accounts.1.sellerId']);
    expect(existing.body.details[0].errors[0]).toContain(`is already account ${single.body.id}`);
    expect(await accountCount()).toBe(1);
    await running.api('DELETE', `/api/v1/accounts/${single.body.id}`);
  });

  it('creates 500 accounts in one request: listable, secrets sealed on NATS and at rest, an audit entry each, first syncs spread', async () => {
    const accounts = Array.from({ length: 500 }, (_, i) => account(100 + i, { syncIntervalSeconds: 600 }));
      const answer = await importing(accounts);
    expect(answer.status).toBe(201);
    expect(answer.body.created).toBe(500);
    expect(answer.body.accounts.map((a: any) => a.index)).toEqual(accounts.map((_, i) => i));
    expect(answer.body.accounts[499]).toMatchObject({ sellerId: 'A2IMPORT000599', region: 'EU', name: 'Import 599' });

    const listed = await running.api('GET', '/api/v1/accounts?limit=500');
    const live = listed.body.items.filter((a: any) => a.sellerId.startsWith('A2IMPORT000') && Number(a.sellerId.slice(-3)) >= 100);
    expect(live).toHaveLength(500);
    expect(live.find((a: any) => a.id === answer.body.accounts[7].id)).toMatchObject({ name: 'Import 107', marketplaceIds: [MARKETPLACE], syncIntervalSeconds: 600, syncEnabled: false });
    expect(JSON.stringify(listed.body)).not.toMatch(/import-client-secret|import-refresh-token|encrypted/i);

    // At rest: sealed (SecretBox's v2 form), no plaintext; on NATS: sealed too.
    const rows = await running.env.query<{ encrypted_client_secret: string; encrypted_refresh_token: string }>(
      `select encrypted_client_secret, encrypted_refresh_token from ingestion.seller_accounts where seller_id like 'A2IMPORT%' and deleted_at is null`,
    );
    expect(rows.length).toBe(500);
    for (const row of rows) {
      expect(row.encrypted_client_secret).toMatch(/^v2:[0-9a-f]{8}:/);
      expect(row.encrypted_refresh_token).toMatch(/^v2:[0-9a-f]{8}:/);
    }
    expect(JSON.stringify(rows)).not.toMatch(/import-client-secret|import-refresh-token/);
    expect(onTheWire.some((line) => line.includes('accounts.import.v1'))).toBe(true);
    expect(onTheWire.filter((line) => /import-client-secret|import-refresh-token/.test(line))).toEqual([]);

    // One audit entry per account, with its id, secrets redacted.
    const audit = await running.env.query<{ status: number; action: string; changes: any }>(
      `select status, action, changes from access.audit_log where path = '/api/v1/accounts/import' and status = 201`,
    );
    expect(audit).toHaveLength(500);
    expect(new Set(audit.map((e) => e.changes.id))).toEqual(new Set(answer.body.accounts.map((a: any) => a.id)));
    expect(audit[0]).toMatchObject({ action: 'POST /api/v1/accounts/import', changes: { lwaClientSecret: '[redacted]', refreshToken: '[redacted]' } });

    // Their sync is off: no first sync, no slot in the spread.
    expect(answer.body.accounts.filter((a: any) => a.firstSyncAt !== null)).toEqual([]);
  });

  it('answers a retry with the same Idempotency-Key with the first answer, creating nothing twice', async () => {
    const accounts = [account(700), account(701)];
    const first = await importing(accounts, { 'idempotency-key': 'import-700' });
    expect(first.status).toBe(201);
    const again = await importing(accounts, { 'idempotency-key': 'import-700' });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotency-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    // Without the key, a retry is refused per account: they exist.
    const retried = await importing(accounts);
    expect(retried.status).toBe(409);
    expect(fields(retried.body)).toEqual(['accounts.0.sellerId', 'accounts.1.sellerId']);
    const [{ n }] = await running.env.query<{ n: number }>(`select count(*)::int as n from ingestion.seller_accounts where seller_id in ('A2IMPORT000700', 'A2IMPORT000701')`);
    expect(n).toBe(2);
  });

  it('needs the scope of a single create (admin): a key without it, or limited to accounts, is refused', async () => {
    const someAccount = (await running.api('POST', '/api/v1/accounts', account(900))).body.id;
    const operator = await running.api('POST', '/api/v1/keys', { name: 'operator', scopes: ['read', 'operate'] });
    const limited = await running.api('POST', '/api/v1/keys', { name: 'limited admin', scopes: ['read', 'operate', 'admin'], accountIds: [someAccount] });
    expect([operator.status, limited.status]).toEqual([201, 201]);
    for (const key of [operator.body.key, limited.body.key]) {
      const refused = await running.api('POST', '/api/v1/accounts/import', { accounts: [account(800)] }, key);
      expect(refused.status).toBe(403);
    }
    const [{ n }] = await running.env.query<{ n: number }>(`select count(*)::int as n from ingestion.seller_accounts where seller_id = 'A2IMPORT000800'`);
    expect(n).toBe(0);
  });

  it('syncs the accounts of a small import at once, with the secrets it was given', async () => {
    const sellers = [0, 1].map((i) => ({
      sellerId: `A2IMPSYNC00${i}`,
      clientId: `imp-sync-${i}`,
      clientSecret: `imp-sync-secret-${i}`,
      refreshToken: `Atzr|imp-sync-${i}`,
      marketplaceIds: [MARKETPLACE],
    }));
    for (const seller of sellers) {
      expect((await running.sandbox('POST', '/_sandbox/sellers', seller)).status).toBe(201);
      await running.sandbox('POST', `/_sandbox/sellers/${seller.sellerId}/orders/generate`, { count: 2, seed: seller.sellerId, marketplaceIds: [MARKETPLACE], fulfilledBy: 'MERCHANT', statuses: ['UNSHIPPED'] });
    }
    const answer = await running.importAccounts(sellers);
    expect(answer.status).toBe(201);
    const ids: string[] = answer.body.accounts.map((a: any) => a.id);
    await waitFor(
      async () => {
        const orders = await Promise.all(ids.map(async (id) => (await running.api('GET', `/api/v1/orders?accountId=${id}`)).body.items.length));
        return orders.every((n) => n === 2) || undefined;
      },
      { timeoutMs: 60_000, what: 'both imported accounts synced their 2 orders' },
    );
  });
  it('audits a refused import of 150 accounts with every seller by index, not the first 100 of its body', async () => {
    const single = await running.api('POST', '/api/v1/accounts', account(5149));
    expect(single.status).toBe(201);
    const answer = await importing(Array.from({ length: 150 }, (_, i) => account(5000 + i)));
    expect(answer.status).toBe(409);
    const [entry] = await running.env.query<{ changes: any }>(`select changes from access.audit_log where path = '/api/v1/accounts/import' and status = 409 order by created_at desc limit 1`);
    expect(entry.changes.count).toBe(150);
    expect(entry.changes.accounts).toHaveLength(150);
    expect(entry.changes.accounts[149]).toEqual({ index: 149, sellerId: 'A2IMPORT005149', region: 'EU' });
    expect(JSON.stringify(entry.changes)).not.toMatch(/import-client-secret|import-refresh-token/);
    await running.api('DELETE', `/api/v1/accounts/${single.body.id}`);
  });

  it('spreads the first syncs of sync-enabled accounts one scheduler tick a batch, not over their daily interval; none for those with sync off', async () => {
    // Pointing at the sandbox (unknown there: their syncs fail at LWA, harmless), deleted at the end.
    const sandbox = { apiEndpoint: running.sandboxUrl, lwaEndpoint: `${running.sandboxUrl}/auth/o2/token`, syncIntervalSeconds: 86_400 };
    const accounts = [...Array.from({ length: 40 }, (_, i) => account(3000 + i, { ...sandbox, syncEnabled: true })), account(3040, { ...sandbox, syncEnabled: false })];
    const answer = await importing(accounts);
    expect(answer.status).toBe(201);
    const at = answer.body.accounts.map((a: any) => (a.firstSyncAt === null ? null : new Date(a.firstSyncAt).getTime()));
    expect(at[40]).toBeNull();
    // Two batches of 20, the second one tick (SYNC_TICK_SECONDS 0.5 in tests) after the first, not half a day.
    expect(new Set(at.slice(0, 20)).size).toBe(1);
    expect(new Set(at.slice(20, 40)).size).toBe(1);
    expect(at[20] - at[0]).toBe(500);
    for (const a of answer.body.accounts) await running.api('DELETE', `/api/v1/accounts/${a.id}`);
  });

  it('a single create and an import of the same seller at once: one 201, the other a 409 naming the seller, nothing else created', async () => {
    // Holds every insert into seller_accounts until both requests have passed their checks, so both reach the insert
    // and the unique index decides (the race the pre-checks cannot see).
    const blocker = new Client({ connectionString: running.env.databaseUrl });
    await blocker.connect();
    try {
      await blocker.query('begin');
      await blocker.query('lock table ingestion.seller_accounts in share row exclusive mode');
      const single = running.api('POST', '/api/v1/accounts', account(4001));
      const imported = importing([account(4000), account(4001), account(4002)]);
      await waitFor(async () => {
        const [{ n }] = await running.env.query<{ n: number }>(
          `select count(*)::int as n from pg_locks l join pg_stat_activity a on a.pid = l.pid
            where l.relation = 'ingestion.seller_accounts'::regclass and not l.granted and a.query ilike 'insert%'`,
        );
        return n === 2;
      }, { what: 'both inserts waiting for the lock' });
      await blocker.query('commit');
      const [one, many] = await Promise.all([single, imported]);
      expect([one.status, many.status].sort()).toEqual([201, 409]);
      const created = await running.env.query<{ seller_id: string }>(`select seller_id from ingestion.seller_accounts where seller_id like 'A2IMPORT0040%' and deleted_at is null order by seller_id`);
      if (one.status === 201) {
        // The import lost: nothing of it was created, and its 409 names the seller by index, with the winner's id.
        expect(fields(many.body)).toEqual(['accounts.1.sellerId']);
        expect(many.body.details[0].errors[0]).toContain(`seller A2IMPORT004001 in EU is already account ${one.body.id}`);
        expect(created.map((r) => r.seller_id)).toEqual(['A2IMPORT004001']);
      } else {
        expect(one.body.detail).toContain('seller A2IMPORT004001 in EU is already an account');
        expect(created.map((r) => r.seller_id)).toEqual(['A2IMPORT004000', 'A2IMPORT004001', 'A2IMPORT004002']);
      }
    } finally {
      await blocker.end();
    }
  });
});
