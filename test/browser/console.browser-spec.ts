import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page, type Route } from 'playwright-core';
import { EventStream } from '@connector/messaging';
import { amazonOrder, API_KEY, ROOT_DIR, RunningSystem, waitFor } from '@connector/testing';

const SELLER = { sellerId: 'A2CONSOLE00001', clientId: 'console-client', clientSecret: 'console-secret', refreshToken: 'Atzr|console', marketplaceIds: ['A1PA6795UKMFR9'] };
const recently = () => new Date(Date.now() - 180_000).toISOString();
const FBM_ID = '306-2000001-0000001';
const FBA_ID = '306-2000002-0000002';
const ORDERS = [
  amazonOrder({ orderId: FBM_ID, fulfilledBy: 'MERCHANT', lastUpdatedTime: recently(), items: [{ orderItemId: '76000000000001', sku: 'CONSOLE-MUG', title: 'Console mug', quantity: 2, unitPrice: '12.50', tax: '4.00' }] }),
  amazonOrder({ orderId: FBA_ID, fulfilledBy: 'AMAZON', status: 'SHIPPED', lastUpdatedTime: recently(), items: [{ orderItemId: '76000000000002', sku: 'CONSOLE-CUP', quantity: 1, unitPrice: '8.00', tax: '1.28' }] }),
];
// Quarantined by the first sync (a currency the connector does not know), stored once Amazon's copy is fixed.
const POISON_ID = '306-2000003-0000003';
const poison = (currency: string) => amazonOrder({ orderId: POISON_ID, currency, lastUpdatedTime: recently(), items: [{ orderItemId: '76000000000003', sku: 'CONSOLE-MUG', quantity: 1, unitPrice: '12.50', tax: '2.00' }] });
const TRACKING = '00340434161094042999';
const ACCOUNT_NAME = 'Console shop';
const POISON_TRACKING = '1Z999AA10123456784';
const PARTIAL_TRACKING = '00340434161094043000';
const PARKED_ID = 'console-browser-poison-event';
// Three plates, shipped one in a first package: the other two are left to ship.
const PARTIAL_ID = '306-2000004-0000004';
const PLATE_ITEM = '76000000000004';

/** Screenshots of each step: test artefacts (git-ignored), two of them copied to docs/ for the README. */
const SHOTS = join(ROOT_DIR, 'test/browser/screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * The console as an operator uses it: every service as its own process (the gateway serving the
 * built console from dist/apps/console), the sandbox as Amazon, Debian's Chromium headless.
 */
describe('the console in a browser', () => {
  const running = new RunningSystem();
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  // Every console error (a CSP refusal, a script failing) fails the test that caused it.
  const consoleErrors: string[] = [];

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const go = (link: 'Home' | 'Accounts' | 'Orders' | 'Deliveries' | 'Quarantine' | 'Notifications' | 'Stock' | 'Marketplaces' | 'Parked events' | 'Keys and audit') => page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: link, exact: true }).click();
  const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name }).waitFor({ timeout: 30_000 });

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    await running.start({ SANDBOX_TIME_SCALE: '20', SPAPI_RATE_SCALE: '20' });
    await running.sandbox('POST', '/_sandbox/sellers', SELLER);
    for (const order of [...ORDERS, poison('QQQ')]) await running.sandbox('POST', `/_sandbox/sellers/${SELLER.sellerId}/orders`, order);
    // The sandbox lets Chromium run as root (CI containers) only without its own sandbox.
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
    context = await browser.newContext({ viewport: { width: 1280, height: 860 }, baseURL: running.gatewayUrl });
    page = await context.newPage();
    page.on('console', (message) => {
      // The API's refusals (401, 400, 422), which the page shows in words, the browser also logs: expected (a 5xx is caught below).
      if (message.type() === 'error' && !/^Failed to load resource: the server responded with a status of \d{3}/.test(message.text())) consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    // A 5xx is the gateway's fault, never the page's: named with its route.
    page.on('response', (response) => {
      if (response.status() >= 500) consoleErrors.push(`${response.status()} from ${response.request().method()} ${response.url()}`);
    });
  }, 240_000);

  afterEach(() => {
    expect(consoleErrors.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await running.stop();
  }, 60_000);

  it('is served at / with a strict CSP, and any page of it reloads (SPA fallback); the API still answers JSON', async () => {
    const answer = await page.goto('/orders/some-order');
    expect(answer!.status()).toBe(200);
    expect(answer!.headers()['content-security-policy']).toMatch(/script-src 'self'(;|$)/);
    await heading('Sign in');
    const notFound = await fetch(`${running.gatewayUrl}/api/v1/no-such-route`, { headers: { accept: 'text/html', authorization: `Bearer ${API_KEY}` } });
    expect(notFound.status).toBe(404);
    expect(notFound.headers.get('content-type')).toMatch(/json/);
  });

  it('refuses a wrong key with a clear message', async () => {
    await page.goto('/');
    await page.getByLabel('API key').fill('not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('This API key is not accepted by the gateway');
    await shot('01-wrong-key');
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  });

  it('signs in with the keyboard; the key is kept in sessionStorage only', async () => {
    await page.goto('/');
    await page.getByLabel('API key').fill('');
    // The field has focus on arrival: type the key and press Enter.
    await page.keyboard.type(API_KEY);
    await page.keyboard.press('Enter');
    await heading('Is everything all right?');
    // The Sign-in button is gone with its page: the focus is on the new page's heading, not lost on <body>.
    await waitFor(async () => (await page.evaluate(() => document.activeElement?.textContent)) === 'Is everything all right?', { what: 'the focus on the heading after sign-in' });
    expect(await page.evaluate(() => [sessionStorage.getItem('connector.apiKey'), localStorage.length, document.cookie])).toEqual([API_KEY, 0, '']);
    await page.getByText('Everything is all right.').or(page.getByText(/^Needs attention/)).waitFor();
  });

  it('adds a sandbox account through its page: the API\'s 400 names each field first; the secrets are not shown again', async () => {
    await go('Accounts');
    await heading('Seller accounts');
    await page.getByText('No seller account yet').waitFor();
    await page.getByRole('button', { name: 'Add an account' }).click();
    const form = page.getByRole('form', { name: 'Add a seller account' });
    await form.getByLabel('Name').fill(ACCOUNT_NAME);
    await form.getByLabel('Seller id').fill('not a seller');
    await form.getByLabel('LWA client id').fill(SELLER.clientId);
    await form.getByLabel('LWA client secret').fill(SELLER.clientSecret);
    await form.getByLabel('Refresh token').fill(SELLER.refreshToken);
    await form.getByLabel('Sync every (seconds)').fill('60');
    // Off at first: the run is asked for by hand below, and followed.
    await form.getByLabel('Sync on a schedule').uncheck();
    await form.getByText('Endpoints (a sandbox, a proxy)').click();
    await form.getByLabel('SP-API endpoint').fill(running.sandboxUrl);
    await form.getByLabel('LWA token endpoint').fill(`${running.sandboxUrl}/auth/o2/token`);
    // No marketplace ticked and a malformed seller id: the API refuses both, by name.
    await form.getByRole('button', { name: 'Add the account' }).click();
    const refused = page.getByRole('alert').filter({ hasText: 'Account not added' });
    await refused.waitFor();
    expect(await refused.textContent()).toMatch(/400 Bad Request/);
    expect(await refused.textContent()).toContain('sellerId');
    expect(await refused.textContent()).toContain('marketplaceIds');
    expect(await form.getByLabel('Seller id').getAttribute('aria-invalid')).toBe('true');
    expect(await form.getByRole('group', { name: 'Marketplaces' }).getAttribute('aria-invalid')).toBe('true');
    await shot('02a-account-refused');

    await form.getByLabel('Seller id').fill(SELLER.sellerId);
    await form.getByLabel(new RegExp(SELLER.marketplaceIds[0])).check();
    await form.getByRole('button', { name: 'Add the account' }).click();
    await page.getByRole('status').filter({ hasText: `Account ${ACCOUNT_NAME} added, its sync off` }).waitFor();
    const row = page.getByRole('region', { name: 'Seller accounts' }).getByRole('row').filter({ hasText: SELLER.sellerId });
    await row.waitFor();
    expect(await row.textContent()).toContain(SELLER.marketplaceIds[0]);
    // The form is gone with what was typed in it: the secrets are nowhere in the page.
    expect(await page.getByRole('form', { name: 'Add a seller account' }).count()).toBe(0);
    const html = await page.content();
    expect(html).not.toContain(SELLER.clientSecret);
    expect(html).not.toContain(SELLER.refreshToken);

    // The connection tested before any sync: Amazon's Sellers API answers with the account's credentials.
    await row.getByRole('button', { name: `Test the connection of ${ACCOUNT_NAME}` }).click();
    await page.getByRole('status').filter({ hasText: `The connection of ${ACCOUNT_NAME} works: Amazon names` }).waitFor({ timeout: 90_000 });
  });

  it('syncs the account now and follows its run live, while the orders arrive by themselves in another tab\'s open list', async () => {
    // A second tab, signed in on its own (the key is per tab), keeps the orders open.
    const watcher = await context.newPage();
    await watcher.goto('/orders');
    await watcher.getByLabel('API key').fill(API_KEY);
    await watcher.getByRole('button', { name: 'Sign in' }).click();
    await watcher.getByRole('heading', { level: 1, name: 'Orders' }).waitFor();
    await watcher.getByText('No order matches').waitFor();

    await page.getByRole('button', { name: `Sync ${ACCOUNT_NAME} now` }).click();
    const progress = page.getByRole('region', { name: `Sync run of ${ACCOUNT_NAME}` }).getByRole('status');
    await progress.getByText('succeeded').waitFor({ timeout: 60_000 });
    expect(await progress.textContent()).toMatch(/orders read: 2 new, 0 changed, 0 unchanged, 1 quarantined/);
    await shot('02b-sync-run');
    const row = page.getByRole('region', { name: 'Seller accounts' }).getByRole('row').filter({ hasText: SELLER.sellerId });
    await row.getByText('succeeded').waitFor();

    // No click in the watching tab: its list reads itself again every few seconds.
    await watcher.getByRole('link', { name: FBM_ID }).waitFor({ timeout: 60_000 });
    await watcher.getByRole('link', { name: FBA_ID }).waitFor({ timeout: 60_000 });
    await watcher.screenshot({ path: join(SHOTS, '02-orders.png'), fullPage: true });
    await watcher.close();

    // Its sync on a schedule from now on.
    await page.getByRole('button', { name: `Enable the sync of ${ACCOUNT_NAME}` }).click();
    await row.getByText('on', { exact: true }).waitFor();
    await page.getByRole('button', { name: `Disable the sync of ${ACCOUNT_NAME}` }).waitFor();
    await go('Orders');
    await heading('Orders');
    await page.getByRole('link', { name: FBM_ID }).waitFor();
  });

  it('keeps the buyer out of the address; the filter form follows the address (a link, back)', async () => {
    const buyerEmail = `${FBM_ID.replace(/-/g, '')}@marketplace.amazon.de`;
    await page.getByLabel('Buyer').fill(buyerEmail);
    await page.getByRole('button', { name: 'Search' }).click();
    await waitFor(async () => (await page.getByRole('link', { name: FBA_ID }).count()) === 0, { what: 'the other buyer\'s order filtered out' });
    await page.getByRole('link', { name: FBM_ID }).waitFor();
    await page.getByLabel('SKU').fill('CONSOLE-CUP');
    await page.getByLabel('Buyer').fill('Nobody Here');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('No order matches').waitFor();
    expect(page.url()).toContain('sku=CONSOLE-CUP');
    // The buyer (personal data) is in no address, so in no browser history, bookmark or proxy log.
    expect(page.url()).not.toMatch(/buyer|Nobody|marketplace\.amazon/i);
    // The Orders link is a new view: the form is emptied with it.
    await go('Orders');
    await page.getByRole('link', { name: FBA_ID }).waitFor();
    expect([await page.getByLabel('SKU').inputValue(), await page.getByLabel('Buyer').inputValue()]).toEqual(['', '']);
    // Back: the filtered view again, the buyer with it (kept in the history entry).
    await page.goBack();
    await page.getByText('No order matches').waitFor();
    expect([await page.getByLabel('SKU').inputValue(), await page.getByLabel('Buyer').inputValue()]).toEqual(['CONSOLE-CUP', 'Nobody Here']);
    await go('Orders');
    await page.getByRole('link', { name: FBM_ID }).waitFor();
  });

  it('filters by channel and SKU, and opens an FBM order with its lines, totals and delivery', async () => {
    await page.getByLabel('Channel').selectOption('FBM');
    await page.getByLabel('SKU').fill('CONSOLE-MUG');
    await page.getByRole('button', { name: 'Search' }).click();
    await waitFor(async () => (await page.getByRole('link', { name: FBA_ID }).count()) === 0, { what: 'the FBA order filtered out' });
    expect(page.url()).toContain('channel=FBM');
    expect(page.url()).toContain('sku=CONSOLE-MUG');
    await page.getByRole('link', { name: FBM_ID }).click();
    await heading(`Order ${FBM_ID}`);
    const lines = page.getByRole('region', { name: 'Order lines' });
    await lines.getByRole('cell', { name: 'CONSOLE-MUG' }).waitFor();
    expect(await page.getByText(/^FBM \(the seller ships\)$/).count()).toBe(1);
    // The delivery is made by inventory from the order's event: its form shows once it is there.
    await page.getByRole('button', { name: 'Validate delivery' }).waitFor({ timeout: 60_000 });
    await shot('03-order');
  });

  it('names the failing field when the API refuses the validation', async () => {
    await page.getByLabel('Carrier').fill('DHL');
    await page.getByLabel('Tracking number').fill('x'.repeat(101));
    await page.getByRole('button', { name: 'Validate delivery' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/400 Bad Request/);
    expect(await alert.textContent()).toContain('trackingNumber');
    expect(await page.getByLabel('Tracking number').getAttribute('aria-invalid')).toBe('true');
    await shot('04-field-error');
  });

  it('validates the delivery with a tracking number; the confirmation reaches the sandbox and the page shows it sent', async () => {
    await page.getByLabel('Tracking number').fill(TRACKING);
    await page.getByRole('button', { name: 'Validate delivery' }).click();
    await page.getByRole('status').filter({ hasText: `Delivery validated: DHL ${TRACKING}` }).waitFor();
    const shipments = await waitFor(
      async () => {
        const answer = (await running.sandbox('GET', `/_sandbox/shipments?orderId=${FBM_ID}`)).body.shipments as any[];
        return answer?.length ? answer : undefined;
      },
      { timeoutMs: 60_000, what: 'the shipment confirmation at the sandbox' },
    );
    expect(shipments[0].packageDetail).toMatchObject({ carrierCode: 'DHL', trackingNumber: TRACKING });
    // The order page reads itself again: the confirmation shows as sent.
    const told = page.getByRole('region', { name: 'Notifications to Amazon' });
    await told.getByText('sent', { exact: true }).waitFor({ timeout: 60_000 });
    expect(await told.getByText('shipment confirmation').count()).toBe(1);
    // The timeline, read again with the order, tells the same story in words, oldest first.
    const timeline = page.getByRole('list', { name: 'Events of the order, oldest first' });
    await timeline.getByText(/accepted by Amazon$/).waitFor({ timeout: 60_000 });
    const events = await timeline.getByRole('listitem').allTextContents();
    expect(events[0]).toContain(`Bought on Amazon (${FBM_ID}, FBM)`);
    expect(events.findIndex((e) => e.includes(`Shipped with DHL, tracking ${TRACKING}`))).toBeGreaterThan(0);
    await shot('05-validated');
  });

  it('lists the stock per product and location and the move of the shipped FBM order; and the marketplaces', async () => {
    await go('Stock');
    await heading('Stock');
    const levels = page.getByRole('region', { name: 'Stock per product and location' });
    await levels.getByRole('row').filter({ hasText: 'CONSOLE-MUG' }).first().waitFor({ timeout: 30_000 });
    // The 2 mugs shipped with the tracking number: a done move out of stock, 2 units.
    const moves = page.getByRole('region', { name: 'Stock moves, oldest first' });
    await page.getByLabel('State').selectOption('done');
    const shipped = moves.getByRole('row').filter({ hasText: 'CONSOLE-MUG' });
    await shipped.first().waitFor({ timeout: 30_000 });
    expect(await shipped.count()).toBe(1);
    expect(await shipped.getByRole('cell').nth(2).textContent()).toBe('2');
    expect(await shipped.getByRole('cell').nth(5).textContent()).toBe('done');
    await page.getByLabel('State').selectOption('ready');
    await waitFor(async () => (await shipped.count()) === 0, { what: 'no mug move left to ship' });
    await page.getByLabel('State').selectOption('done');
    await shipped.waitFor();
    await shot('05b-stock');
    await shipped.getByRole('link').click();
    await heading(`Order ${FBM_ID}`);

    await go('Marketplaces');
    await heading('Marketplaces');
    const germany = page.getByRole('region', { name: 'Marketplaces' }).getByRole('row').filter({ hasText: SELLER.marketplaceIds[0] });
    await germany.waitFor();
    expect(await germany.textContent()).toContain('EUR');
  });

  it('lists the quarantined order with its reason and retries it once Amazon\'s copy is fixed', async () => {
    await go('Quarantine');
    await heading('Quarantine');
    const row = page.getByRole('row').filter({ hasText: POISON_ID });
    await row.waitFor({ timeout: 60_000 });
    expect(await row.textContent()).toContain('QQQ');
    // Amazon's order as it was read, without the buyer's name or address.
    await page.getByRole('button', { name: `Show order ${POISON_ID} as Amazon gave it` }).click();
    const raw = await page.getByLabel(`Order ${POISON_ID} as Amazon gave it`, { exact: true }).textContent();
    expect(raw).toContain('"QQQ"');
    expect(raw).toContain('CONSOLE-MUG');
    expect(raw).not.toContain('Erika');
    await shot('06a-quarantine-raw-order');

    // Still broken at Amazon: the API refuses to store it, said in words.
    await page.getByRole('button', { name: `Retry order ${POISON_ID}` }).click();
    const refused = page.getByRole('alert').filter({ hasText: `Order ${POISON_ID} not stored` });
    await refused.waitFor();
    expect(await refused.textContent()).toMatch(/QQQ.*\(422 Unprocessable Entity\)/s);

    await running.sandbox('POST', `/_sandbox/sellers/${SELLER.sellerId}/orders`, poison('EUR'));
    await page.getByRole('button', { name: `Retry order ${POISON_ID}` }).click();
    await page.getByRole('status').filter({ hasText: `Order ${POISON_ID} stored` }).waitFor();
    await page.getByText('Nothing is quarantined').waitFor();
    await shot('06-quarantine-retried');
  });

  it('validates the retried order\'s delivery from the deliveries to ship; Amazon refuses its confirmation, listed as failed', async () => {
    // Amazon answers the next confirmShipment of this seller with a 400: the confirmation fails for good.
    expect((await running.sandbox('POST', '/_sandbox/faults', { operation: 'confirmShipment', sellerId: SELLER.sellerId, status: 400, count: 1 })).status).toBe(201);
    await go('Deliveries');
    await heading('Deliveries to ship');
    // Its delivery is made by inventory from the stored order's event: in the list once it is there.
    await page.getByRole('button', { name: `Validate the delivery of ${POISON_ID}` }).click({ timeout: 60_000 });
    const form = page.getByRole('form', { name: /^Validate delivery/ });
    await form.getByLabel('Carrier').fill('UPS');
    await form.getByLabel('Tracking number').fill(POISON_TRACKING);
    await form.getByRole('button', { name: 'Validate delivery' }).click();
    await page.getByRole('status').filter({ hasText: `Delivery validated: UPS ${POISON_TRACKING}` }).waitFor();
    await page.getByText('Nothing waits to ship').waitFor();
    await page.getByLabel('State').selectOption('failed');
    // Read again by itself until amazon-notifications has had Amazon's answer.
    await page.getByRole('region', { name: 'Shipment confirmations failed' }).getByRole('link', { name: POISON_ID }).waitFor({ timeout: 60_000 });
    await shot('07-deliveries');
  });

  it('retries the failed confirmation from the notifications to Amazon; it reaches the sandbox and is listed as sent', async () => {
    await go('Notifications');
    await heading('Notifications to Amazon');
    const failed = page.getByRole('region', { name: 'Notifications to Amazon' }).getByRole('row').filter({ hasText: POISON_ID });
    await failed.waitFor();
    expect(await failed.textContent()).toMatch(/failed.*400/s);
    await shot('11-notification-failed');
    await page.getByRole('button', { name: `Retry the shipment confirmation of ${POISON_ID}` }).click();
    await page.getByRole('status').filter({ hasText: `The shipment confirmation of ${POISON_ID} is pending again` }).waitFor();
    await page.getByLabel('State').selectOption('sent');
    await page.getByRole('region', { name: 'Notifications to Amazon' }).getByRole('row').filter({ hasText: POISON_ID }).getByText('sent', { exact: true }).waitFor({ timeout: 60_000 });
    const shipments = (await running.sandbox('GET', `/_sandbox/shipments?orderId=${POISON_ID}`)).body.shipments as any[];
    expect(shipments.map((s) => s.packageDetail.trackingNumber)).toEqual([POISON_TRACKING]);
  });

  it('ships part of a delivery: 1 of 3 plates in one package, the other 2 left to ship in a backorder', async () => {
    await running.sandbox('POST', `/_sandbox/sellers/${SELLER.sellerId}/orders`, amazonOrder({ orderId: PARTIAL_ID, fulfilledBy: 'MERCHANT', lastUpdatedTime: recently(), items: [{ orderItemId: PLATE_ITEM, sku: 'CONSOLE-PLATE', quantity: 3, unitPrice: '5.00', tax: '0.80' }] }));
    const account = (await running.api('GET', '/api/v1/accounts')).body.items.find((a: any) => a.sellerId === SELLER.sellerId);
    expect((await running.api('POST', `/api/v1/accounts/${account.id}/orders/${PARTIAL_ID}/sync`)).status).toBe(200);
    await go('Deliveries');
    await heading('Deliveries to ship');
    const ready = page.getByRole('region', { name: 'Deliveries ready to ship' }).getByRole('row').filter({ hasText: PARTIAL_ID });
    await ready.waitFor({ timeout: 60_000 });
    expect(await ready.getByRole('cell').nth(2).textContent()).toBe('3');
    await page.getByRole('button', { name: `Validate the delivery of ${PARTIAL_ID}` }).click();
    await ready.getByLabel('Carrier').fill('DHL');
    await ready.getByLabel('Tracking number').fill(PARTIAL_TRACKING);
    await ready.getByLabel('Ship only some items in this package').check();
    await ready.getByLabel(`Units of item ${PLATE_ITEM} in this package (of 3)`).fill('1');
    await shot('07b-partial-shipment');
    await ready.getByRole('button', { name: 'Validate delivery' }).click();
    await page.getByRole('status').filter({ hasText: `Delivery validated: DHL ${PARTIAL_TRACKING}` }).waitFor();
    // The two plates left wait in their own delivery, ready to ship.
    await waitFor(async () => (await ready.count()) === 1 && (await ready.getByRole('cell').nth(2).textContent()) === '2', { timeoutMs: 30_000, what: 'the backorder of 2 plates ready' });
    const shipments = await waitFor(
      async () => {
        const answer = (await running.sandbox('GET', `/_sandbox/shipments?orderId=${PARTIAL_ID}`)).body.shipments as any[];
        return answer?.length ? answer : undefined;
      },
      { timeoutMs: 60_000, what: 'the partial shipment confirmation at the sandbox' },
    );
    expect(shipments[0].packageDetail).toMatchObject({ trackingNumber: PARTIAL_TRACKING, orderItems: [{ orderItemId: PLATE_ITEM, quantity: 1 }] });
  });

  it('shows a parked event with its payload, says why its replay fails, and discards it', async () => {
    // An event no handler can take, as a broken publisher would send it: order-ingestion parks it.
    const stream = new EventStream({ natsUrl: running.env.natsUrl, namespace: running.env.namespace, serviceName: 'console-browser' });
    try {
      await stream.publishAll([{ subject: 'delivery.created.v1', data: JSON.stringify({ deliveryId: 'not-a-delivery' }), id: PARKED_ID }]);
    } finally {
      await stream.onApplicationShutdown();
    }
    await go('Parked events');
    await heading('Parked events');
    const row = page.getByRole('region', { name: 'Events parked by order-ingestion' }).getByRole('row').filter({ hasText: PARKED_ID });
    await row.waitFor({ timeout: 60_000 });
    expect(await row.textContent()).toContain('delivery.created.v1');
    await page.getByRole('button', { name: `Show event ${PARKED_ID}` }).click();
    expect(await page.getByLabel(`Payload of event ${PARKED_ID}`).textContent({ timeout: 10_000 })).toContain('"deliveryId": "not-a-delivery"');
    await shot('12-parked-event');

    // Handled again, it fails again: it stays parked, and the page says why.
    await page.getByRole('button', { name: `Replay event ${PARKED_ID}` }).click();
    const refused = page.getByRole('alert').filter({ hasText: `Event ${PARKED_ID} not replayed` });
    await refused.waitFor();
    expect(await refused.textContent()).toMatch(/\(409 Conflict\)/);
    await page.getByRole('button', { name: `Discard event ${PARKED_ID}` }).click();
    await page.getByRole('status').filter({ hasText: `Event ${PARKED_ID} discarded` }).waitFor();
    await page.getByText('order-ingestion has none parked').waitFor();
    await page.getByLabel('State').selectOption('discarded');
    await page.getByRole('region', { name: 'Events discarded by order-ingestion' }).getByRole('row').filter({ hasText: PARKED_ID }).waitFor();
  });

  it('makes an API key (shown once, refused first without a name), revokes it, and reads both in the audit log without any secret', async () => {
    await go('Keys and audit');
    await heading('API keys and audit');
    await page.getByRole('button', { name: 'Make a key' }).click();
    const form = page.getByRole('form', { name: 'Make an API key' });
    await form.getByLabel('operate: sync, validate, retry').check();
    await form.getByRole('button', { name: 'Make the key' }).click();
    const refused = page.getByRole('alert').filter({ hasText: 'Key not made' });
    await refused.waitFor();
    expect(await refused.textContent()).toMatch(/name: .*\(400 Bad Request\)|400 Bad Request.*name/s);
    expect(await form.getByLabel('Key name').getAttribute('aria-invalid')).toBe('true');

    await form.getByLabel('Key name').fill('Warehouse scanner');
    await form.getByRole('button', { name: 'Make the key' }).click();
    const made = page.getByRole('region', { name: 'Key Warehouse scanner made' });
    const key = await made.getByLabel('The new key').inputValue({ timeout: 10_000 });
    // The key works, with the scopes asked for.
    const orders = await fetch(`${running.gatewayUrl}/api/v1/orders?limit=1`, { headers: { authorization: `Bearer ${key}` } });
    expect(orders.status).toBe(200);
    await shot('13-key-made');
    await made.getByRole('button', { name: 'Done, forget it' }).click();
    expect(await page.content()).not.toContain(key);

    const keys = page.getByRole('region', { name: 'API keys' });
    const row = keys.getByRole('row').filter({ hasText: 'Warehouse scanner' });
    expect(await row.textContent()).toMatch(/read, operate|operate, read/);
    await page.getByRole('button', { name: 'Revoke key Warehouse scanner' }).click();
    await page.getByRole('button', { name: 'Yes, revoke key Warehouse scanner' }).click();
    await page.getByRole('status').filter({ hasText: 'Key Warehouse scanner revoked' }).waitFor();
    // Revoked keys are hidden unless asked for.
    await waitFor(async () => (await row.count()) === 0, { what: 'the revoked key off the list' });
    await page.getByLabel('Show revoked keys').check();
    await row.getByText('revoked', { exact: true }).waitFor();

    const audit = page.getByRole('region', { name: 'Audit log, newest first' });
    await audit.getByRole('row').filter({ hasText: 'DELETE /api/v1/keys/' }).waitFor({ timeout: 30_000 });
    await audit.getByRole('row').filter({ hasText: 'POST /api/v1/accounts' }).first().waitFor();
    await page.getByLabel('Method').selectOption('DELETE');
    await waitFor(async () => (await audit.getByRole('row').filter({ hasText: 'POST /api/v1/' }).count()) === 0, { what: 'only DELETEs in the audit log' });
    await page.getByLabel('Method').selectOption('');
    await audit.getByRole('row').filter({ hasText: 'POST /api/v1/accounts' }).first().waitFor();
    // The account's credentials, sent once through its page, are in no line of the audit log.
    const html = await page.content();
    expect(html).not.toContain(SELLER.clientSecret);
    expect(html).not.toContain(SELLER.refreshToken);
    await shot('14-audit');
  });

  it('answers "is everything all right?" at 1280 px and at 390 px, without sideways scrolling at 390 px', async () => {
    await go('Home');
    await heading('Is everything all right?');
    const accounts = page.getByRole('region', { name: 'Seller accounts and their last sync' });
    await accounts.getByRole('cell', { name: SELLER.sellerId, exact: true }).waitFor();
    // The quarantine is empty since the retry; the overview says whether anything else needs someone.
    await page.getByRole('link', { name: /^Quarantined orders\s*0$/ }).waitFor();
    expect(await page.locator('.card').filter({ hasText: 'Parked events' }).textContent()).toBe('Parked events0');
    await page.getByText('Everything is all right.').or(page.getByText(/^Needs attention/)).waitFor();
    await shot('08-home');
    await page.setViewportSize({ width: 390, height: 844 });
    await go('Orders');
    await heading('Orders');
    await page.getByRole('link', { name: FBM_ID }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot('09-orders-phone');
    await go('Home');
    await heading('Is everything all right?');
    await accounts.getByRole('cell', { name: SELLER.sellerId, exact: true }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot('10-home-phone');
  });

  it('says "not found" for a malformed address (/orders/%) instead of a blank page, with the focus on its heading', async () => {
    await page.setViewportSize({ width: 1280, height: 860 });
    for (const address of ['/orders/%', '/orders/%E0%A4%A', '/no-such-page']) {
      await page.goto(address);
      await heading('Not found');
      await waitFor(async () => (await page.evaluate(() => document.activeElement?.textContent)) === 'Not found', { what: `the focus on Not found at ${address}` });
    }
    await go('Home');
    await heading('Is everything all right?');
  });

  it('home: a key that may not see parked events (403) says so; parked events that cannot be read (503) are a worry', async () => {
    const answer = (status: number, detail: string) => (route: Route) =>
      route.fulfill({ status, contentType: 'application/problem+json', body: JSON.stringify({ type: 'about:blank', title: status === 403 ? 'Forbidden' : 'Service Unavailable', status, detail }) });
    await page.route('**/api/v1/parked-events?**', answer(403, 'this key may read some accounts only'));
    await page.reload();
    await heading('Is everything all right?');
    const parked = page.locator('.card').filter({ hasText: 'Parked events' });
    await parked.getByText('not visible to this key').waitFor();
    await page.unroute('**/api/v1/parked-events?**');
    await page.route('**/api/v1/parked-events?**', answer(503, 'inventory does not answer'));
    await parked.getByText('cannot be read (503)').waitFor({ timeout: 30_000 });
    await page.getByRole('status').filter({ hasText: /Needs attention: .*parked events cannot be read/ }).waitFor();
    await page.unroute('**/api/v1/parked-events?**');
    await waitFor(async () => (await parked.textContent()) === 'Parked events0', { timeoutMs: 60_000, what: 'parked events read again' });
    // The 503s were the test's own.
    const mine = consoleErrors.filter((e) => /^503 from GET .*\/api\/v1\/parked-events/.test(e));
    consoleErrors.splice(0, consoleErrors.length, ...consoleErrors.filter((e) => !mine.includes(e)));
  });

  it('with a gateway slower than the 5 s between reads: one read at a time, each answer shown (none dropped as stale)', async () => {
    await go('Quarantine');
    await heading('Quarantine');
    await page.getByText('Nothing is quarantined').waitFor();
    const updated = page.locator('.updated');
    await updated.getByText(/^Updated /).waitFor();
    const before = await updated.textContent();
    let open = 0;
    let most = 0;
    let answered = 0;
    await page.route('**/api/v1/orders/quarantined?**', async (route) => {
      open++;
      most = Math.max(most, open);
      // The slow gateway: 7 s for each read.
      await new Promise((resolve) => setTimeout(resolve, 7_000));
      try {
        await route.continue();
        answered++;
      } catch {
        // The page went on and aborted it.
      } finally {
        open--;
      }
    });
    try {
      await waitFor(async () => answered >= 2, { timeoutMs: 60_000, what: 'two slow reads answered' });
      expect(most).toBe(1);
      // Their answers were shown, not dropped for a newer read begun meanwhile.
      await waitFor(async () => (await updated.textContent()) !== before, { what: 'a slow answer shown' });
      await page.getByText('Nothing is quarantined').waitFor();
    } finally {
      await page.unroute('**/api/v1/orders/quarantined?**');
    }
  });

  it('offers a read-only key no action its scopes forbid: no Validate, Retry, Sync or Keys page', async () => {
    const created = await running.api('POST', '/api/v1/keys', { name: 'console read-only', scopes: ['read'] });
    expect(created.status).toBe(201);
    const reader = await context.newPage();
    // Every delivery and confirmation is done by now: each is shown as still to do, so a button would have its row.
    await reader.route('**/api/v1/deliveries?**', async (route) => {
      const done = await route.fetch({ url: route.request().url().replace('state=ready', 'state=done') });
      const page = (await done.json()) as { items: { state: string; onHold: boolean }[] };
      await route.fulfill({ response: done, json: { items: page.items.map((d) => ({ ...d, state: 'ready', onHold: false })) } });
    });
    await reader.route('**/api/v1/notifications?**', async (route) => {
      const sent = await route.fetch({ url: route.request().url().replace('state=failed', 'state=sent') });
      const page = (await sent.json()) as { items: { state: string }[] };
      await route.fulfill({ response: sent, json: { items: page.items.map((n) => ({ ...n, state: 'failed' })) } });
    });
    try {
      await reader.goto('/');
      await reader.getByLabel('API key').fill(created.body.key);
      await reader.getByRole('button', { name: 'Sign in' }).click();
      await reader.getByRole('heading', { level: 1, name: 'Is everything all right?' }).waitFor();
      await reader.getByText('Signed in as console read-only (read)').waitFor();
      const nav = reader.getByRole('navigation', { name: 'Console' });
      await nav.getByRole('link', { name: 'Deliveries', exact: true }).waitFor();
      expect(await nav.getByRole('link', { name: 'Keys and audit' }).count()).toBe(0);

      await nav.getByRole('link', { name: 'Accounts', exact: true }).click();
      await reader.getByRole('region', { name: 'Seller accounts' }).getByRole('row').filter({ hasText: SELLER.sellerId }).waitFor();
      expect(await reader.getByRole('button', { name: /^Sync .* now$|^(Enable|Disable) the sync|^Test the connection|^Add an account$/ }).count()).toBe(0);

      await nav.getByRole('link', { name: 'Deliveries', exact: true }).click();
      await reader.getByRole('region', { name: 'Deliveries ready to ship' }).getByRole('link', { name: FBM_ID }).waitFor({ timeout: 30_000 });
      expect(await reader.getByRole('button', { name: /^Validate/ }).count()).toBe(0);

      await nav.getByRole('link', { name: 'Notifications', exact: true }).click();
      await reader.getByRole('heading', { level: 1, name: 'Notifications to Amazon' }).waitFor();
      await reader.getByRole('link', { name: FBM_ID }).first().waitFor({ timeout: 30_000 });
      expect(await reader.getByRole('button', { name: /^Retry/ }).count()).toBe(0);
      await reader.screenshot({ path: join(SHOTS, '16-read-only-key.png'), fullPage: true });

      // The address of a page it may not see: said in words, not a page of 403s.
      await reader.goto('/access');
      await reader.getByRole('heading', { level: 1, name: 'Not allowed' }).waitFor();
      await reader.getByText('lacks the admin scope').waitFor();
    } finally {
      await reader.close();
      await running.api('DELETE', `/api/v1/keys/${created.body.id}`);
    }
  });

  it('the key revoked while the console is open: back to sign-in, saying so', async () => {
    const created = await running.api('POST', '/api/v1/keys', { name: 'console reader', scopes: ['read'] });
    expect(created.status).toBe(201);
    const reader = await context.newPage();
    await reader.goto('/');
    await reader.getByLabel('API key').fill(created.body.key);
    await reader.getByRole('button', { name: 'Sign in' }).click();
    await reader.getByRole('heading', { level: 1, name: 'Is everything all right?' }).waitFor();
    expect((await running.api('DELETE', `/api/v1/keys/${created.body.id}`)).status).toBe(204);
    await reader.getByText('The gateway no longer accepts the key you used').waitFor({ timeout: 60_000 });
    expect(await reader.evaluate(() => sessionStorage.length)).toBe(0);
    await reader.close();
  });
});
