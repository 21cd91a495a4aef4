import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { connect, NatsConnection } from 'nats';
import { CREATE_ACCOUNT, natsInboxPrefix, UPDATE_ACCOUNT } from '@connector/contracts';
import { waitFor } from '@connector/testing';
import { NATS_URL, RunningSystem } from '@connector/testing';

const SELLER = { sellerId: 'A2ENDPOINT0001', clientId: 'endpoint-client', clientSecret: 'endpoint-secret-123', refreshToken: 'Atzr|endpoint-refresh-123', marketplaceIds: ['A1PA6795UKMFR9'] };

/**
 * An account's secrets go to Amazon's hosts or to a base URL the operator allowed
 * (AMAZON_ALLOWED_ENDPOINTS; the system under test allows its sandbox only), never elsewhere.
 */
describe('account endpoints: the refresh token and client secret never leave for a host nobody allowed', () => {
  const running = new RunningSystem();
  let attacker: Server;
  let attackerUrl: string;
  /** Everything that reached the attacker's host. */
  const stolen: string[] = [];
  let accountId: string;
  /** Everything that crosses the NATS server while the tests run, as text. */
  let wire: NatsConnection;
  const onTheWire: string[] = [];

  beforeAll(async () => {
    // Poses as the gateway (answers go to its inbox), as a NATS client without permissions can.
    wire = await connect({ servers: NATS_URL, inboxPrefix: natsInboxPrefix('gateway') });
    wire.subscribe('>', { callback: (_err, msg) => onTheWire.push(`${msg.subject} ${Buffer.from(msg.data).toString('utf8')}`) });
    attacker = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        stolen.push(`${req.method} ${req.url} ${body}`);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"access_token":"x","expires_in":3600}');
      });
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
    await running.start();
    expect((await running.sandbox('POST', '/_sandbox/sellers', SELLER)).status).toBe(201);
  });
  afterAll(async () => {
    await wire?.close();
    await running.stop();
    await new Promise((resolve) => attacker.close(resolve));
  });

  const fields = (body: any) => (body.details ?? []).map((d: any) => d.field);

  it('refuses an account pointing elsewhere with 400 naming the field, and stores nothing', async () => {
    const api = await running.createAccount(SELLER, 'EU', { apiEndpoint: attackerUrl });
    expect(api.status).toBe(400);
    expect(fields(api.body)).toEqual(['apiEndpoint']);
    const lwa = await running.createAccount(SELLER, 'EU', { lwaEndpoint: `${attackerUrl}/auth/o2/token` });
    expect(lwa.status).toBe(400);
    expect(fields(lwa.body)).toEqual(['lwaEndpoint']);
    // Amazon's host of another region is not the account's either.
    const foreign = await running.createAccount(SELLER, 'EU', { apiEndpoint: 'https://sellingpartnerapi-na.amazon.com' });
    expect(fields(foreign.body)).toEqual(['apiEndpoint']);
    expect((await running.api('GET', '/api/v1/accounts')).body.items).toEqual([]);
    expect(stolen).toEqual([]);
  });

  it('takes the allowed sandbox, and its defaults are Amazon\'s own hosts', async () => {
    const created = await running.createAccount(SELLER);
    expect(created.status).toBe(201);
    accountId = created.body.id;
    const byDefault = await running.api('POST', '/api/v1/accounts', {
      name: 'Amazon defaults', sellerId: 'A2ENDPOINTNA01', region: 'NA', lwaClientId: 'c', lwaClientSecret: 's', refreshToken: 'r', marketplaceIds: ['ATVPDKIKX0DER'], syncEnabled: false,
    });
    expect(byDefault.status).toBe(201);
    expect(byDefault.body).toMatchObject({ apiEndpoint: 'https://sellingpartnerapi-na.amazon.com', lwaEndpoint: 'https://api.amazon.com/auth/o2/token' });
  });

  it('refuses to repoint an account elsewhere, even with its secrets', async () => {
    const patched = await running.api('PATCH', `/api/v1/accounts/${accountId}`, { apiEndpoint: attackerUrl, lwaClientSecret: 'x', refreshToken: 'y' });
    expect(patched.status).toBe(400);
    expect(fields(patched.body)).toEqual(['apiEndpoint']);
    expect((await running.api('GET', `/api/v1/accounts/${accountId}`)).body.apiEndpoint).toBe(running.sandboxUrl);
  });

  it('asks for the secrets again when an endpoint or the LWA client id changes', async () => {
    const otherAllowed = `${running.sandboxUrl}/auth/o2/token/`;
    for (const change of [{ lwaEndpoint: otherAllowed }, { lwaClientId: 'another-app' }, { lwaClientId: 'another-app', lwaClientSecret: 'only-one' }]) {
      const patched = await running.api('PATCH', `/api/v1/accounts/${accountId}`, change);
      expect(patched.status).toBe(400);
      expect(fields(patched.body)).toEqual(expect.arrayContaining('lwaClientSecret' in change ? ['refreshToken'] : ['lwaClientSecret', 'refreshToken']));
      expect(patched.body.details[0].errors[0]).toMatch(/must be given again/);
    }
    // The same value again is not a change; a name is not a credential.
    expect((await running.api('PATCH', `/api/v1/accounts/${accountId}`, { lwaClientId: SELLER.clientId, name: 'renamed' })).status).toBe(200);
    // The id written in capitals is the same account: its secrets still open afterwards.
    const withSecrets = await running.api('PATCH', `/api/v1/accounts/${accountId.toUpperCase()}`, { lwaEndpoint: `${running.sandboxUrl}/auth/o2/token`, lwaClientSecret: SELLER.clientSecret, refreshToken: SELLER.refreshToken });
    expect(withSecrets.status).toBe(200);
    expect((await running.api('POST', `/api/v1/accounts/${accountId}/sync`, {})).status).toBe(202);
    const run = await waitFor(async () => {
      const [newest] = (await running.api('GET', `/api/v1/accounts/${accountId}/sync-runs?limit=1`)).body.items as any[];
      return newest && !['queued', 'running'].includes(newest.status) && Date.parse(newest.startedAt) > Date.parse(withSecrets.body.updatedAt) - 1000 ? newest : undefined;
    }, { what: 'a sync run after the change' });
    expect(run).toMatchObject({ status: 'succeeded', errors: [] });
  });

  it('sends nothing for an account stored pointing elsewhere before the rule, and says why in its sync run', async () => {
    await running.env.query(`update ingestion.seller_accounts set api_endpoint = $2, lwa_endpoint = $3 where id = $1`, [accountId, attackerUrl, `${attackerUrl}/auth/o2/token`]);
    expect((await running.api('POST', `/api/v1/accounts/${accountId}/sync`, {})).status).toBe(202);
    const run = await waitFor(async () => {
      const [newest] = (await running.api('GET', `/api/v1/accounts/${accountId}/sync-runs?limit=1`)).body.items as any[];
      return newest?.status === 'failed' ? newest : undefined;
    }, { what: 'the failed sync run' });
    expect(run.errors.join(' ')).toMatch(/not allowed/);
    expect(stolen).toEqual([]);
  });

  it('never puts a secret on NATS in plain text: created, changed and used, only sealed values travel', async () => {
    const seller = { ...SELLER, sellerId: 'A2ENDPOINT0002', clientSecret: 'plain-client-secret-on-the-wire', refreshToken: 'Atzr|plain-refresh-token-on-the-wire' };
    expect((await running.sandbox('POST', '/_sandbox/sellers', seller)).status).toBe(201);
    const created = await running.createAccount(seller);
    expect(created.status).toBe(201);
    const patched = await running.api('PATCH', `/api/v1/accounts/${created.body.id}`, { lwaClientSecret: `${seller.clientSecret}-2`, refreshToken: `${seller.refreshToken}-2` });
    expect(patched.status).toBe(200);
    await wire.flush();
    const crossed = onTheWire.filter((line) => line.includes(CREATE_ACCOUNT.subject) || line.includes(UPDATE_ACCOUNT.subject));
    expect(crossed.length).toBeGreaterThanOrEqual(2);
    expect(crossed.join('\n')).toMatch(/"sealedClientSecret":"v2:/);
    for (const secret of [seller.clientSecret, seller.refreshToken, 'plain-client-secret-on-the-wire-2']) {
      expect(onTheWire.filter((line) => line.includes(secret))).toEqual([]);
    }
  });

  it('refuses a sealed secret replayed into another account (sealed for one account, sent for another)', async () => {
    const seller = { ...SELLER, sellerId: 'A2ENDPOINT0003' };
    const created = await running.createAccount(seller);
    expect(created.status).toBe(201);
    const sealedForFirst = onTheWire
      .filter((line) => line.includes(UPDATE_ACCOUNT.subject))
      .map((line) => JSON.parse(line.slice(line.indexOf(' ') + 1)).data.changes.sealedRefreshToken)
      .find(Boolean);
    expect(sealedForFirst).toMatch(/^v2:/);
    const replay = await wire.request(`${running.env.namespace}.${UPDATE_ACCOUNT.subject}`, JSON.stringify({ id: 'r1', pattern: UPDATE_ACCOUNT.subject, data: { id: created.body.id, changes: { sealedRefreshToken: sealedForFirst } } }), { timeout: 10_000 });
    const answer = JSON.parse(Buffer.from(replay.data).toString('utf8'));
    expect(answer.err).toMatchObject({ statusCode: 400, details: [{ field: 'refreshToken' }] });
  });
});
