import { DEVELOPMENT_SPAPI_APP } from '@connector/contracts';
import { RunningSystem, waitFor } from '@connector/testing';

const DE = 'A1PA6795UKMFR9';
const FR = 'A13V1IB3VIYZZH';
const IT = 'APJ6JRA9NG5V4';
/** Amazon.se: the seller takes part, but it is not among the connector's marketplaces. */
const SE = 'A2NODRKZP88ZB9';

/** A seller at the sandbox; its own self-authorized credentials play no part here (the app's do). */
const SELLER = { sellerId: 'A2LINKSELLER01', clientId: 'own-client', clientSecret: 'own-secret', refreshToken: 'Atzr|own-token', marketplaceIds: [DE, FR] };
const OTHER = { sellerId: 'A2LINKOTHER001', clientId: 'other-client', clientSecret: 'other-secret', refreshToken: 'Atzr|other-token', marketplaceIds: [DE] };

/**
 * Link with Amazon: the website authorization workflow through the sandbox's consent page, the
 * account made from the seller's consent with its marketplaces from the Sellers API, then synced.
 */
describe('Link with Amazon: consent, callback, marketplaces from the Sellers API', () => {
  const running = new RunningSystem();
  let accountId: string;
  let firstCallbackUrl: string;
  let firstCode: string;

  beforeAll(async () => {
    // Participations asked again every 18 s: the periodic refresh is seen within the test. Consents good for 20 s: one expires.
    await running.start({ MARKETPLACE_REFRESH_HOURS: '0.005', AUTHORIZATION_STATE_TTL_SECONDS: '20' });
    await running.registerSandboxApp();
    for (const seller of [SELLER, OTHER]) expect((await running.sandbox('POST', '/_sandbox/sellers', seller)).status).toBe(201);
    const participations = await running.sandbox('PUT', `/_sandbox/sellers/${SELLER.sellerId}/participations`, {
      participations: [
        { marketplaceId: DE, isParticipating: true },
        { marketplaceId: FR, isParticipating: true, hasSuspendedListings: true },
        { marketplaceId: IT, isParticipating: false },
        { marketplaceId: SE, isParticipating: true },
      ],
    });
    expect(participations.status).toBe(200);
    expect((await running.sandbox('POST', `/_sandbox/sellers/${SELLER.sellerId}/orders/generate`, { count: 6, seed: 'link', marketplaceIds: [DE, FR], fulfilledBy: 'MERCHANT', statuses: ['UNSHIPPED'] })).status).toBe(201);
  }, 180_000);

  afterAll(() => running.stop(), 60_000);

  const sandboxEndpoints = () => ({ region: 'EU', apiEndpoint: running.sandboxUrl, lwaEndpoint: `${running.sandboxUrl}/auth/o2/token` });
  /** POST /api/v1/authorizations with the sandbox as the account's Amazon. */
  const authorize = async (body: Record<string, unknown> = sandboxEndpoints()) => {
    const answer = await running.api('POST', '/api/v1/authorizations', body);
    expect(answer.status).toBe(201);
    return answer.body as { authorizationId: string; consentUrl: string; state: string; expiresAt: string; expectedSellerId: string | null };
  };
  /** The sandbox's consent page (auto-approved by `sellerId`): where it sends the browser back to. */
  const consent = async (consentUrl: string, sellerId: string) => {
    const page = await fetch(`${consentUrl}&sandbox_seller_id=${sellerId}`, { redirect: 'manual' });
    expect(page.status).toBe(302);
    return page.headers.get('location')!;
  };
  const get = async (url: string) => {
    const response = await fetch(url, { headers: { accept: 'application/json' } });
    return { status: response.status, body: (await response.json()) as any };
  };
  /** What a browser sends: HTML first. */
  const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
  const page = async (url: string) => {
    const response = await fetch(url, { headers: { accept: BROWSER_ACCEPT } });
    return { status: response.status, type: response.headers.get('content-type') ?? '', cache: response.headers.get('cache-control'), html: await response.text() };
  };
  const fields = (body: any) => (body.details ?? []).map((d: any) => d.field);
  const accountCount = async () => (await running.api('GET', '/api/v1/accounts?limit=500')).body.items.length as number;
  const grants = async () => (await running.sandbox('GET', `/_sandbox/grants`)).body.grants as any[];

  it('gives a consent URL of Seller Central (here the sandbox) with a signed state that expires', async () => {
    const started = Date.now();
    const { consentUrl, state, expiresAt } = await authorize();
    const url = new URL(consentUrl);
    expect(`${url.origin}${url.pathname}`).toBe(`${running.sandboxUrl}/apps/authorize/consent`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      application_id: DEVELOPMENT_SPAPI_APP.applicationId,
      state,
      redirect_uri: `${running.gatewayUrl}/api/v1/authorizations/callback`,
      version: 'beta',
    });
    expect(Date.parse(expiresAt) - started).toBeGreaterThan(18_000);
    expect(Date.parse(expiresAt) - started).toBeLessThan(22_000);
    // Endpoints where secrets may not go are refused, naming the field.
    const elsewhere = await running.api('POST', '/api/v1/authorizations', { region: 'EU', lwaEndpoint: 'https://lwa.example.com/auth/o2/token' });
    expect(elsewhere.status).toBe(400);
    expect(fields(elsewhere.body)).toEqual(['lwaEndpoint']);
    const noRegion = await running.api('POST', '/api/v1/authorizations', {});
    expect(noRegion.status).toBe(400);
    expect(fields(noRegion.body)).toEqual(['region']);
    // The consent page is chosen by a marketplace of the region: Amazon.com is not one of EU's.
    const otherRegion = await running.api('POST', '/api/v1/authorizations', { region: 'EU', marketplaceId: 'ATVPDKIKX0DER' });
    expect(otherRegion.status).toBe(400);
    expect(fields(otherRegion.body)).toEqual(['marketplaceId']);
    const notAToken = await running.api('POST', '/api/v1/authorizations', { region: 'EU', expectedSellerId: 'not a seller' });
    expect(notAToken.status).toBe(400);
    expect(fields(notAToken.body)).toEqual(['expectedSellerId']);
  });

  it('the seller\'s consent, followed as plain HTTP redirects, makes the account with the marketplaces the seller is active in', async () => {
    const { consentUrl, expectedSellerId } = await authorize({ ...sandboxEndpoints(), expectedSellerId: SELLER.sellerId, marketplaceId: DE });
    expect(expectedSellerId).toBe(SELLER.sellerId);
    // A browser follows the sandbox's redirect to the gateway's callback.
    const followed = await fetch(`${consentUrl}&sandbox_seller_id=${SELLER.sellerId}`, { headers: { accept: 'application/json' } });
    expect(followed.status).toBe(200);
    firstCallbackUrl = followed.url;
    const callback = new URL(firstCallbackUrl);
    expect(`${callback.origin}${callback.pathname}`).toBe(`${running.gatewayUrl}/api/v1/authorizations/callback`);
    expect(callback.searchParams.get('selling_partner_id')).toBe(SELLER.sellerId);
    firstCode = callback.searchParams.get('spapi_oauth_code')!;
    const linked = (await followed.json()) as any;
    // The browser is anyone's: it learns the link was made, not the account (seller, client id, endpoints) nor the key that asked.
    expect(Object.keys(linked).sort()).toEqual(['accountId', 'authorizationId', 'created']);
    expect(linked.created).toBe(true);
    accountId = linked.accountId;
    const account = (await running.api('GET', `/api/v1/accounts/${accountId}`)).body;
    expect(account).toMatchObject({ sellerId: SELLER.sellerId, region: 'EU', lwaClientId: DEVELOPMENT_SPAPI_APP.clientId, apiEndpoint: running.sandboxUrl });
    // Active and known in the region: DE and FR (listings suspended, yet orders may come); not IT (not participating) nor SE (unknown here).
    const enabled = await waitFor(async () => {
      const found = (await running.api('GET', `/api/v1/accounts/${accountId}`)).body;
      return found.marketplaceIds.length ? found : undefined;
    }, { timeoutMs: 30_000, what: 'the linked account\'s marketplaces from the Sellers API' });
    expect([...enabled.marketplaceIds].sort()).toEqual([DE, FR].sort());
    // The seller was the one expected: its sync starts by itself.
    expect(enabled.syncEnabled).toBe(true);
    expect(JSON.stringify(linked)).not.toContain('Atzr|');
    expect(await grants()).toEqual([expect.objectContaining({ sellerId: SELLER.sellerId, clientId: DEVELOPMENT_SPAPI_APP.clientId })]);
  });

  it('shows the account\'s marketplaces from the Sellers API, each active or not, enabled or not', async () => {
    const view = (await running.api('GET', `/api/v1/accounts/${accountId}/marketplaces`)).body;
    expect(view.refreshedAt).toEqual(expect.any(String));
    expect(view.lastError).toBeNull();
    const byId = Object.fromEntries(view.items.map((m: any) => [m.marketplaceId, m]));
    expect(Object.keys(byId).sort()).toEqual([DE, FR, IT, SE].sort());
    expect(byId[DE]).toMatchObject({ countryCode: 'DE', name: 'Amazon.de', currency: 'EUR', domain: 'www.amazon.de', storeName: `Store ${SELLER.sellerId}`, active: true, hasSuspendedListings: false, enabled: true, known: true });
    expect(byId[FR]).toMatchObject({ active: true, hasSuspendedListings: true, enabled: true, known: true });
    expect(byId[IT]).toMatchObject({ active: false, enabled: false, known: true });
    expect(byId[SE]).toMatchObject({ countryCode: 'SE', active: true, enabled: false, known: false });
  });

  it('then syncs the seller\'s orders with the refresh token from the consent', async () => {
    const orders = await waitFor(async () => {
      const items = (await running.api('GET', `/api/v1/orders?limit=500&accountId=${accountId}`)).body.items as any[];
      return items.length >= 6 ? items : undefined;
    }, { timeoutMs: 90_000, what: 'the linked account\'s orders' });
    expect(orders).toHaveLength(6);
    expect(new Set(orders.map((o) => o.marketplaceId))).toEqual(new Set([DE, FR]));
  });

  it('refuses a state used already: 400 on state, nothing changed', async () => {
    const again = await get(firstCallbackUrl);
    expect(again.status).toBe(400);
    expect(fields(again.body)).toEqual(['state']);
    expect(again.body.detail).toContain('used already');
    // A reload after the answer was lost says the link was made.
    expect(again.body.detail).toContain('linked the account');
    expect(await accountCount()).toBe(1);
    expect(await grants()).toHaveLength(1);
  });

  it('refuses an expired state: 400 on state, and its code is never exchanged', async () => {
    const { consentUrl, expiresAt } = await authorize();
    const callbackUrl = await consent(consentUrl, SELLER.sellerId);
    const before = (await grants()).length;
    await waitFor(async () => Date.now() > Date.parse(expiresAt) + 1000 || undefined, { timeoutMs: 30_000, what: 'the state to expire' });
    const expired = await get(callbackUrl);
    expect(expired.status).toBe(400);
    expect(fields(expired.body)).toEqual(['state']);
    expect(expired.body.detail).toContain('expired');
    expect(await grants()).toHaveLength(before);
    expect(await accountCount()).toBe(1);
  });

  it('refuses a state it did not give, changed, or missing: 400, nothing changed and no code exchanged', async () => {
    const { consentUrl, state } = await authorize();
    const callbackUrl = new URL(await consent(consentUrl, SELLER.sellerId));
    const [id, expiry, mac] = state.split('.');
    for (const wrong of [`${id}.${Number(expiry) + 60}.${mac}`, `${id}.${expiry}.${'A'.repeat(43)}`, 'not-a-state']) {
      const forged = new URL(callbackUrl);
      forged.searchParams.set('state', wrong);
      const refused = await get(forged.toString());
      expect(refused.status).toBe(400);
      expect(fields(refused.body)).toEqual(['state']);
    }
    const missing = new URL(callbackUrl);
    missing.searchParams.delete('state');
    expect((await get(missing.toString())).status).toBe(400);
    // The code of that consent was never exchanged: Amazon gave no second token.
    expect(await grants()).toHaveLength(1);
    expect(await accountCount()).toBe(1);
    // A browser is told why, on a page, with the same status.
    const forged = new URL(callbackUrl);
    forged.searchParams.set('state', `${id}.${expiry}.${'A'.repeat(43)}`);
    const refusedPage = await page(forged.toString());
    expect(refusedPage.status).toBe(400);
    expect(refusedPage.type).toMatch(/^text\/html/);
    expect(refusedPage.html).toContain('Link with Amazon did not complete');
    expect(refusedPage.html).toContain('not one this connector gave');
    // Nor was the state spent by the forgeries: with its own code it still links. A browser gets a page
    // naming the seller and the account, and nothing secret (no code, no state).
    const genuine = await page(callbackUrl.toString());
    expect(genuine).toMatchObject({ status: 200, type: expect.stringMatching(/^text\/html/), cache: 'no-store' });
    expect(genuine.html).toContain('Amazon seller linked');
    expect(genuine.html).toContain(SELLER.sellerId);
    expect(genuine.html).toContain(accountId);
    expect(genuine.html).not.toContain(callbackUrl.searchParams.get('spapi_oauth_code')!);
    expect(genuine.html).not.toContain(state);
    expect(genuine.html).not.toContain('Atzr|');
  });

  it('re-authorizing the account replaces its refresh token; the same account goes on syncing with it', async () => {
    const before = (await grants()).length;
    const { consentUrl } = await authorize({ accountId });
    const linked = await get(await consent(consentUrl, SELLER.sellerId));
    expect(linked.status).toBe(200);
    expect(linked.body).toMatchObject({ created: false, accountId });
    expect((await running.api('GET', `/api/v1/accounts/${accountId}`)).body).toMatchObject({ sellerId: SELLER.sellerId, marketplaceIds: expect.arrayContaining([DE, FR]), syncEnabled: true });
    expect(await grants()).toHaveLength(before + 1);
    expect(await accountCount()).toBe(1);
    const sealed = await running.env.query<{ token: string }>(`select encrypted_refresh_token as token from ingestion.seller_accounts where id = $1`, [accountId]);
    expect(sealed[0].token).toMatch(/^v2:/);
    // A sync now runs on the new token.
    const requested = await running.api('POST', `/api/v1/accounts/${accountId}/sync`, {});
    expect(requested.status).toBe(202);
    const run = await waitFor(async () => {
      const found = (await running.api('GET', `/api/v1/accounts/${accountId}/sync-runs/${requested.body.runId}`)).body;
      return ['succeeded', 'failed'].includes(found.status) ? found : undefined;
    }, { timeoutMs: 90_000, what: 'the sync run after re-authorization' });
    expect(run.status).toBe('succeeded');
  });

  it('refuses the consent of a seller other than the one expected: 400 on selling_partner_id, its code never exchanged', async () => {
    const before = (await grants()).length;
    const { consentUrl } = await authorize({ ...sandboxEndpoints(), expectedSellerId: SELLER.sellerId });
    const refused = await get(await consent(consentUrl, OTHER.sellerId));
    expect(refused.status).toBe(400);
    expect(fields(refused.body)).toEqual(['selling_partner_id']);
    expect(await grants()).toHaveLength(before);
    expect(await accountCount()).toBe(1);
    // A re-authorization is for the account's own seller only: another expected seller is refused at once.
    const mismatch = await running.api('POST', '/api/v1/authorizations', { accountId, expectedSellerId: OTHER.sellerId });
    expect(mismatch.status).toBe(400);
    expect(fields(mismatch.body)).toEqual(['expectedSellerId']);
  });

  it('refuses the consent of another seller for an account: 400 on selling_partner_id, the account unchanged', async () => {
    const before = (await running.env.query<{ token: string }>(`select encrypted_refresh_token as token from ingestion.seller_accounts where id = $1`, [accountId]))[0].token;
    const { consentUrl } = await authorize({ accountId });
    const refused = await get(await consent(consentUrl, OTHER.sellerId));
    expect(refused.status).toBe(400);
    expect(fields(refused.body)).toEqual(['selling_partner_id']);
    const after = (await running.env.query<{ token: string }>(`select encrypted_refresh_token as token from ingestion.seller_accounts where id = $1`, [accountId]))[0].token;
    expect(after).toBe(before);
    expect(await accountCount()).toBe(1);
  });

  it('keeps the marketplaces up to date: a new one is shown (not enabled by itself), and typed ids still enable it', async () => {
    await running.sandbox('PUT', `/_sandbox/sellers/${SELLER.sellerId}/participations`, {
      participations: [
        { marketplaceId: DE, isParticipating: true },
        { marketplaceId: FR, isParticipating: true },
        { marketplaceId: IT, isParticipating: true },
      ],
    });
    // The periodic refresh (every 18 s here) sees it without being asked.
    const view = await waitFor(async () => {
      const found = (await running.api('GET', `/api/v1/accounts/${accountId}/marketplaces`)).body;
      return found.items.some((m: any) => m.marketplaceId === IT && m.active) ? found : undefined;
    }, { timeoutMs: 60_000, what: 'IT active after the periodic refresh' });
    expect(view.items.map((m: any) => m.marketplaceId).sort()).toEqual([DE, FR, IT].sort());
    expect(view.items.find((m: any) => m.marketplaceId === IT)).toMatchObject({ active: true, enabled: false, known: true });
    expect(view.items.find((m: any) => m.marketplaceId === FR)).toMatchObject({ hasSuspendedListings: false });
    // On request too, and the seller enables it by its id.
    const refreshed = await running.api('POST', `/api/v1/accounts/${accountId}/marketplaces/refresh`, {});
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.items.find((m: any) => m.marketplaceId === IT)).toMatchObject({ enabled: false });
    const patched = await running.api('PATCH', `/api/v1/accounts/${accountId}`, { marketplaceIds: [DE, FR, IT] });
    expect(patched.status).toBe(200);
    const shown = (await running.api('GET', `/api/v1/accounts/${accountId}/marketplaces`)).body;
    expect(shown.items.find((m: any) => m.marketplaceId === IT)).toMatchObject({ enabled: true });
  });

  it('audits each link under the key that asked for the consent, and never logs the code', async () => {
    // Written from order-ingestion's event of each link (not from the callback's answer): one entry per link made so far.
    const links = await waitFor(async () => {
      const audit = (await running.api('GET', '/api/v1/audit?limit=500')).body.items as any[];
      const found = audit.filter((e) => e.action === 'GET /api/v1/authorizations/callback' && e.status === 200);
      return found.length >= 3 ? found : undefined;
    }, { timeoutMs: 30_000, what: 'the audit entries of the links' });
    expect(links).toHaveLength(3);
    const audit = (await running.api('GET', '/api/v1/audit?limit=500')).body.items as any[];
    expect(links[0]).toMatchObject({ status: 200, keyName: expect.any(String), changes: expect.objectContaining({ accountId, sellingPartnerId: SELLER.sellerId }) });
    // Refused callbacks too: a used, an expired state and another seller's consent under the key that asked
    // for the consent; forged states, and a callback without a state (refused by the gateway), under no key.
    const refused = audit.filter((e) => e.action === 'GET /api/v1/authorizations/callback' && e.status >= 400);
    const under = (pattern: RegExp) => refused.filter((e) => pattern.test(e.changes?.refused ?? ''));
    expect(under(/used already/)[0]).toMatchObject({ status: 400, keyName: links[0].keyName, changes: expect.objectContaining({ sellingPartnerId: SELLER.sellerId, authorizationId: expect.any(String) }) });
    expect(under(/expired/)[0]).toMatchObject({ status: 400, keyName: links[0].keyName });
    expect(under(/seller A2LINKOTHER001 consented/).length).toBeGreaterThanOrEqual(2);
    expect(under(/not one this connector gave/).length).toBeGreaterThanOrEqual(3);
    expect(under(/not one this connector gave/).every((e) => e.keyId === null && e.keyName === 'Link with Amazon callback (no consent of this connector)')).toBe(true);
    expect(refused.some((e) => e.keyName === 'Link with Amazon callback (no consent of this connector)' && e.changes?.fields?.includes('state'))).toBe(true);
    expect(JSON.stringify(audit)).not.toContain(firstCode);
    expect(running.output.join('\n')).not.toContain(firstCode);
  });

  it('a link no seller was expected for answers without waiting on the Sellers API, and starts with its sync off', async () => {
    // getMarketplaceParticipations takes 10 s for this seller (as Amazon's quota would once the burst is spent).
    expect((await running.sandbox('POST', '/_sandbox/faults', { operation: 'getMarketplaceParticipations', sellerId: OTHER.sellerId, latencyMs: 10_000 })).status).toBe(201);
    try {
      const { consentUrl, expectedSellerId } = await authorize();
      expect(expectedSellerId).toBeNull();
      const callbackUrl = await consent(consentUrl, OTHER.sellerId);
      const started = Date.now();
      const linked = await get(callbackUrl);
      expect(linked.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(8_000);
      expect(linked.body).toEqual({ authorizationId: expect.any(String), created: true, accountId: expect.any(String) });
      // Its marketplaces come afterwards; its sync waits for an admin, since anyone who opened the consent URL could have consented.
      const account = await waitFor(async () => {
        const found = (await running.api('GET', `/api/v1/accounts/${linked.body.accountId}`)).body;
        return found.marketplaceIds.length ? found : undefined;
      }, { timeoutMs: 60_000, what: 'the unexpected seller\'s marketplaces' });
      expect(account).toMatchObject({ sellerId: OTHER.sellerId, marketplaceIds: [DE], syncEnabled: false });
      const audited = await waitFor(async () => {
        const audit = (await running.api('GET', '/api/v1/audit?limit=500')).body.items as any[];
        return audit.find((e) => e.action === 'GET /api/v1/authorizations/callback' && e.changes?.accountId === linked.body.accountId);
      }, { timeoutMs: 30_000, what: 'the audit entry of the unexpected seller\'s link' });
      expect(audited).toMatchObject({ status: 200, changes: expect.objectContaining({ sellingPartnerId: OTHER.sellerId, created: true }) });
      // An admin turns it on.
      const on = await running.api('PATCH', `/api/v1/accounts/${linked.body.accountId}`, { syncEnabled: true });
      expect(on.status).toBe(200);
      expect(on.body.syncEnabled).toBe(true);
    } finally {
      await running.sandbox('DELETE', '/_sandbox/faults');
    }
  });
});
