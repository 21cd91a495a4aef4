import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AUTHORIZATION_COMPLETED, AUTHORIZATION_REFUSED, AuthorizationCompletedEvent, AuthorizationRefusedEvent } from '@connector/contracts';
import { EventStream } from '@connector/messaging';
import { newRowId, runMigrations } from '@connector/persistence';
import { loadSettings } from '@connector/platform';
import { TestEnvironment, waitFor } from '@connector/testing';
import { randomUUID } from 'node:crypto';
import { GatewayModule } from '../app.module';
import { gatewayDataSource } from '../data-source';
import { GatewaySettings } from '../gateway.settings';
import { setupGateway } from '../setup';
import { UNKNOWN_CALLER } from './authorization-events.handler';

/*
 * The gateway in-process over real PostgreSQL and NATS JetStream, order-ingestion absent: a link's
 * `authorization.completed` is published as order-ingestion's outbox relay would, with no callback
 * at all (as when the callback's answer never reached the gateway), and the audit entry is written.
 */

jest.setTimeout(60_000);

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const ADMIN_KEY = 'authorizations-int-admin-key';
const CALLBACK = 'GET /api/v1/authorizations/callback';

describe('the audit of Link with Amazon, from order-ingestion\'s event', () => {
  const namespace = `t${Date.now()}${Math.floor(Math.random() * 1e6)}`;
  let env: TestEnvironment;
  let app: INestApplication;
  let base: string;
  let publisher: EventStream;

  const gatewayEnvironment = (more: Record<string, string> = {}) => ({ DATABASE_URL: env.databaseUrl, NATS_URL, NATS_NAMESPACE: namespace, LOG_LEVEL: 'error', GATEWAY_API_KEYS: ADMIN_KEY, ALERT_HEALTH_CHECK_SECONDS: '0', ...more });

  const audit = async () => {
    const res = await fetch(`${base}/api/v1/audit?limit=500`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    return ((await res.json()) as { items: Record<string, any>[] }).items.filter((e) => e.action === CALLBACK);
  };

  beforeAll(async () => {
    env = await new TestEnvironment().setUp();
    await runMigrations(gatewayDataSource(env.databaseUrl));
    const settings = loadSettings(GatewaySettings, gatewayEnvironment());
    app = await NestFactory.create(GatewayModule.forRoot(settings), { logger: ['error'] });
    await setupGateway(app, settings);
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    publisher = new EventStream({ natsUrl: NATS_URL, namespace, serviceName: 'authorizations-int-publisher' });
    await publisher.ensureStream();
  });

  afterAll(async () => {
    await app?.close();
    const jsm = await publisher?.manager().catch(() => undefined);
    await jsm?.streams.delete(publisher.streamName).catch(() => undefined);
    await publisher?.onApplicationShutdown();
    await env?.tearDown();
  });

  it('writes one entry per link under the key that asked for the consent, without the callback\'s answer', async () => {
    const keyId = randomUUID();
    const event: AuthorizationCompletedEvent = {
      authorizationId: randomUUID(),
      accountId: randomUUID(),
      created: true,
      sellingPartnerId: 'A2LINKSELLER01',
      requestedByKeyId: keyId,
      requestedByKeyName: 'onboarding admin',
      completedAt: new Date().toISOString(),
    };
    const id = newRowId();
    await publisher.publishAll([{ subject: AUTHORIZATION_COMPLETED.subject, data: JSON.stringify(event), id }]);
    const [entry] = await waitFor(async () => ((await audit()).length ? audit() : undefined), { timeoutMs: 30_000, what: 'the audit entry of the link' });
    expect(entry).toMatchObject({
      keyId,
      keyName: 'onboarding admin',
      method: 'GET',
      path: '/api/v1/authorizations/callback',
      status: 200,
      changes: { authorizationId: event.authorizationId, accountId: event.accountId, sellingPartnerId: 'A2LINKSELLER01', created: true, completedAt: event.completedAt },
    });
    // The same event delivered again (a redelivery, a relay that published twice) is audited once.
    await publisher.publishAll([{ subject: AUTHORIZATION_COMPLETED.subject, data: JSON.stringify(event), id }]);
    const second = { ...event, authorizationId: randomUUID(), created: false };
    await publisher.publishAll([{ subject: AUTHORIZATION_COMPLETED.subject, data: JSON.stringify(second), id: newRowId() }]);
    const entries = await waitFor(async () => {
      const found = await audit();
      return found.length >= 2 ? found : undefined;
    }, { timeoutMs: 30_000, what: 'the second link\'s entry' });
    expect(entries.map((e) => e.changes.authorizationId).sort()).toEqual([event.authorizationId, second.authorizationId].sort());
  });

  it('audits a refused callback like a link: under the key that asked for the consent, or under no key for a state not ours', async () => {
    const keyId = randomUUID();
    const reused: AuthorizationRefusedEvent = {
      authorizationId: randomUUID(),
      sellingPartnerId: 'A2LINKSELLER01',
      reason: 'the state was used already: its consent linked the account (see GET /api/v1/accounts)',
      statusCode: 400,
      requestedByKeyId: keyId,
      requestedByKeyName: 'onboarding admin',
      refusedAt: new Date().toISOString(),
    };
    const forged: AuthorizationRefusedEvent = { ...reused, authorizationId: null, reason: 'the state is not one this connector gave: start Link with Amazon again', requestedByKeyId: null, requestedByKeyName: null };
    await publisher.publishAll([
      { subject: AUTHORIZATION_REFUSED.subject, data: JSON.stringify(reused), id: newRowId() },
      { subject: AUTHORIZATION_REFUSED.subject, data: JSON.stringify(forged), id: newRowId() },
    ]);
    const refused = await waitFor(async () => {
      const found = (await audit()).filter((e) => e.status === 400);
      return found.length >= 2 ? found : undefined;
    }, { timeoutMs: 30_000, what: 'the audit entries of the refused callbacks' });
    expect(refused.find((e) => e.changes.authorizationId === reused.authorizationId)).toMatchObject({ keyId, keyName: 'onboarding admin', path: '/api/v1/authorizations/callback', changes: { sellingPartnerId: 'A2LINKSELLER01', refused: reused.reason } });
    expect(refused.find((e) => e.changes.authorizationId === null)).toMatchObject({ keyId: null, keyName: UNKNOWN_CALLER, changes: { refused: forged.reason } });
  });

  it('audits the gateway\'s own refusals of the query, with their fields, and not the requests over the rate limit (429) anyone can send', async () => {
    // A gateway of its own allowing 3 requests a minute per address (the other one's polling of the audit stays free).
    const limited = await NestFactory.create(GatewayModule.forRoot(loadSettings(GatewaySettings, gatewayEnvironment({ GATEWAY_RATE_LIMIT_PER_MINUTE: '3' }))), { logger: ['error'] });
    try {
      await setupGateway(limited, loadSettings(GatewaySettings, gatewayEnvironment({ GATEWAY_RATE_LIMIT_PER_MINUTE: '3' })));
      await limited.listen(0, '127.0.0.1');
      const callback = `${(await limited.getUrl()).replace('[::1]', '127.0.0.1')}/api/v1/authorizations/callback?selling_partner_id=A2FLOODSELLER1`;
      const answers: { status: number; text: string }[] = [];
      for (let i = 0; i < 10; i++) {
        const res = await fetch(callback, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
        answers.push({ status: res.status, text: await res.text() });
      }
      expect(answers.map((a) => a.status)).toEqual([400, 400, 400, 429, 429, 429, 429, 429, 429, 429]);
      // The browser's page says which fields, as the problem document does.
      expect(answers[0].text).toContain('<code>state</code>');
      expect(answers[0].text).toContain('<code>spapi_oauth_code</code>');
      // Written before the answer: one entry per refusal of the query, none for the throttled requests.
      const entries = (await audit()).filter((e) => e.changes?.sellingPartnerId === 'A2FLOODSELLER1');
      expect(entries).toHaveLength(3);
      expect(entries.every((e) => e.status === 400 && e.keyName === UNKNOWN_CALLER && e.changes.fields.includes('state'))).toBe(true);
    } finally {
      await limited.close();
    }
  });
});
