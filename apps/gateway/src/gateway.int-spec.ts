import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  AnyRequestContract,
  CANCEL_ORDER,
  DELETE_ACCOUNT,
  GET_ACCOUNT,
  GET_DELIVERY,
  GET_ORDER,
  GET_PARTNER,
  HEALTH_CHECKS,
  LIST_LOCATIONS,
  LIST_NOTIFICATIONS,
  LIST_ORDERS,
  METRICS_REQUESTS,
  PARKED_EVENTS,
  SERVICE_NAMES,
  SYNC_ACCOUNT,
  UPDATE_ACCOUNT,
  VALIDATE_DELIVERY,
} from '@connector/contracts';
import { runMigrations } from '@connector/persistence';
import { loadSettings, startProcessMetrics } from '@connector/platform';
import { TestEnvironment, waitFor as waitUntil } from '@connector/testing';
import { connect, JSONCodec, NatsConnection } from 'nats';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { GatewayModule } from './app.module';
import { gatewayDataSource } from './data-source';
import { GatewaySettings } from './gateway.settings';
import { IdempotencyService } from './idempotency/idempotency.service';
import { setupGateway } from './setup';

/*
 * The gateway in-process against the real NATS server, with a stand-in for the services: a
 * raw NATS subscriber under this test's namespace that answers in NestJS's packet format
 * ({ id, response | err, isDisposed }). Only what the stand-in is told to answer gets an answer.
 */

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const KEY = 'int-test-key';
const codec = JSONCodec<Record<string, unknown>>();

type Answer = { response: unknown } | { err: unknown } | undefined;
/** An answer now, or later (a service that takes its time). */
type Handler = (data: Record<string, unknown>) => Answer | Promise<Answer>;

class FakeServices {
  readonly received: { subject: string; data: Record<string, unknown> }[] = [];
  readonly handlers = new Map<string, Handler>();

  private constructor(
    private readonly nc: NatsConnection,
    private readonly namespace: string,
  ) {}

  static async start(namespace: string): Promise<FakeServices> {
    const nc = await connect({ servers: NATS_URL });
    const fake = new FakeServices(nc, namespace);
    nc.subscribe(`${namespace}.>`, {
      callback: (error, msg) => {
        if (error) return;
        const packet = codec.decode(msg.data) as { id: string; data: Record<string, unknown> };
        const subject = msg.subject.slice(namespace.length + 1);
        fake.received.push({ subject, data: packet.data });
        void Promise.resolve(fake.handlers.get(subject)?.(packet.data)).then((answer) => {
          if (!answer || !msg.reply) return; // silent, like a service that is down
          msg.respond(codec.encode({ id: packet.id, ...answer, isDisposed: true } as Record<string, unknown>));
        });
      },
    });
    await nc.flush();
    return fake;
  }

  on(request: AnyRequestContract, handler: Handler): void {
    this.handlers.set(request.subject, handler);
  }

  reset(): void {
    this.received.length = 0;
    this.handlers.clear();
  }

  async close(): Promise<void> {
    await this.nc.drain();
  }
}

// The project-level testTimeout is not applied by Jest 30; waits here include 2 s and 3 s deadlines.
jest.setTimeout(30000);

/**
 * The gateway in-process on a database of its own (API keys, audit log, migrated as the gateway
 * does at start-up) and a NATS namespace whose services are stand-ins.
 */
class TestGateway {
  readonly namespace = `t${Date.now()}${Math.floor(Math.random() * 1e6)}`;
  services!: FakeServices;
  database!: TestEnvironment;
  app!: INestApplication;
  base!: string;

  async start(settings: Record<string, string>): Promise<this> {
    this.services = await FakeServices.start(this.namespace);
    this.database = await new TestEnvironment().setUp();
    await runMigrations(gatewayDataSource(this.database.databaseUrl));
    // The readiness watch off: its health checks would be requests the stand-in sees (alert-webhooks.int-spec tests it).
    const loaded = loadSettings(GatewaySettings, { DATABASE_URL: this.database.databaseUrl, NATS_URL, NATS_NAMESPACE: this.namespace, LOG_LEVEL: 'error', ALERT_HEALTH_CHECK_SECONDS: '0', ...settings });
    this.app = await NestFactory.create(GatewayModule.forRoot(loaded), { logger: ['error'] });
    await setupGateway(this.app, loaded);
    await this.app.listen(0, '127.0.0.1');
    this.base = (await this.app.getUrl()).replace('[::1]', '127.0.0.1');
    return this;
  }

  async stop(): Promise<void> {
    await this.app?.close();
    await this.services?.close();
    await this.database?.tearDown();
  }
}

describe('gateway over NATS', () => {
  const gateway = new TestGateway();
  let base: string;
  let services: FakeServices;

  const call = (method: string, path: string, init: { body?: unknown; raw?: string; key?: string | null } = {}) => {
    const headers: Record<string, string> = {};
    if (init.key !== null) headers.authorization = `Bearer ${init.key ?? KEY}`;
    let body: string | undefined;
    if (init.raw !== undefined || init.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = init.raw ?? JSON.stringify(init.body);
    }
    return fetch(`${base}${path}`, { method, headers, body }).then(async (res) => ({
      status: res.status,
      body: (await res.json().catch(() => undefined)) as Record<string, any>,
    }));
  };

  beforeAll(async () => {
    await gateway.start({ GATEWAY_API_KEYS: `other-key,${KEY}`, GATEWAY_BODY_LIMIT: '2kb' });
    ({ base, services } = gateway);
  });
  afterAll(() => gateway.stop());

  beforeEach(() => services.reset());

  it('answers 401 without a valid API key, and asks no service', async () => {
    for (const key of [null, 'wrong-key']) {
      const res = await call('GET', '/api/v1/orders', { key });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'missing or invalid API key', statusCode: 401, error: 'Unauthorized', message: 'missing or invalid API key' });
    }
    expect(services.received).toEqual([]);
  });

  it('answers 400 on a malformed JSON body, in the error shape, without asking a service', async () => {
    const res = await call('POST', `/api/v1/deliveries/${randomUUID()}/validate`, { raw: '{"carrierCode": "UPS",' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.stringMatching(/JSON/) });
    expect(services.received).toEqual([]);
  });

  it('answers 400 naming each failing field, without asking a service', async () => {
    const res = await call('POST', `/api/v1/deliveries/${randomUUID()}/validate`, {
      body: { carrierCode: 'Pony Express', trackingNumber: 'T1', lwaClientSecret: 'do-not-echo' },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: 'Validation failed' });
    expect(res.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['carrierCode', 'lwaClientSecret']);
    expect(JSON.stringify(res.body)).not.toContain('do-not-echo');

    const badId = await call('GET', '/api/v1/deliveries/not-a-uuid');
    expect(badId.status).toBe(400);
    expect(badId.body.details).toEqual([{ field: 'id', errors: ['id must be a UUID'] }]);

    const badQuery = await call('GET', '/api/v1/orders?channel=XYZ&color=red');
    expect(badQuery.status).toBe(400);
    expect(badQuery.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['channel', 'color']);
    expect(services.received).toEqual([]);
  });

  it('sends { id, ...body } to the owning service and returns its answer', async () => {
    const id = randomUUID();
    services.on(VALIDATE_DELIVERY, (data) => ({ response: { ...data, state: 'done' } }));
    const res = await call('POST', `/api/v1/deliveries/${id}/validate`, { body: { carrierCode: 'UPS', trackingNumber: '1Z9' } });
    expect(res.status).toBe(200);
    expect(services.received).toEqual([{ subject: VALIDATE_DELIVERY.subject, data: { id, carrierCode: 'UPS', trackingNumber: '1Z9' } }]);
    expect(res.body).toMatchObject({ id, state: 'done' });
  });

  it('passes a service error status code through (404)', async () => {
    const id = randomUUID();
    services.on(GET_DELIVERY, () => ({ err: { statusCode: 404, error: 'Not Found', message: `delivery ${id} not found` } }));
    const res = await call('GET', `/api/v1/deliveries/${id}`);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ type: 'about:blank', title: 'Not Found', status: 404, detail: `delivery ${id} not found`, statusCode: 404, error: 'Not Found', message: `delivery ${id} not found` });
  });

  it('passes limit and cursor through and returns the page', async () => {
    services.on(LIST_ORDERS, () => ({ response: { items: [{ id: 'o1' }], nextCursor: 'c2' } }));
    const res = await call('GET', '/api/v1/orders?limit=1&cursor=c1&channel=FBM');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [{ id: 'o1' }], nextCursor: 'c2' });
    expect(services.received).toEqual([{ subject: LIST_ORDERS.subject, data: { limit: 1, cursor: 'c1', channel: 'FBM' } }]);
  });

  it('composes an order with its parts; a silent inventory is "unavailable"', async () => {
    const id = randomUUID();
    const contactId = randomUUID();
    const addressId = randomUUID();
    services.on(GET_ORDER, (data) => ({ response: { id: data.id, contactId, deliveryAddressId: addressId, lines: [] } }));
    services.on(GET_PARTNER, (data) => ({
      response: { id: data.id, name: 'Jane', deliveryAddresses: [{ id: addressId, countryCode: 'DE' }] },
    }));
    services.on(LIST_NOTIFICATIONS, () => ({ response: { items: [{ id: 'n1', state: 'sent' }] } }));
    // LIST_DELIVERIES: nobody answers.
    const res = await call('GET', `/api/v1/orders/${id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id,
      contact: { id: contactId, name: 'Jane' },
      deliveryAddress: { id: addressId, countryCode: 'DE' },
      delivery: 'unavailable',
      deliveries: 'unavailable',
      notifications: [{ id: 'n1', state: 'sent' }],
    });
  });

  it('answers the order 404 as is', async () => {
    services.on(GET_ORDER, () => ({ err: { statusCode: 404, error: 'Not Found', message: 'no such order' } }));
    const res = await call('GET', `/api/v1/orders/${randomUUID()}`);
    expect(res.status).toBe(404);
    expect(res.body.message).toBe('no such order');
  });

  /** Polls `path` until `ready` holds for its answer (the gateway assesses the system once a second). */
  const answerOnce = (path: string, key: string | null, ready: (answer: { status: number; body: Record<string, any> }) => boolean) =>
    waitUntil(async () => {
      const answer = await call('GET', path, { key });
      return ready(answer) ? answer : undefined;
    }, { timeoutMs: 10_000, intervalMs: 100, what: `${path} to show the new answers` });
  const up = (service: string) => ({ response: { service, status: 'up', postgres: 'up', nats: 'up' } });
  const ACCOUNT_ID = '0190f5a4-7c1e-7b8a-9d2e-3f4a5b6c7d8e';

  it('/health is open: 503 when a service is silent, 200 when all answer; status words only without a key, why with a read key', async () => {
    for (const name of SERVICE_NAMES.filter((n) => n !== 'inventory')) services.on(HEALTH_CHECKS[name], () => up(name));
    const started = Date.now();
    const down = await answerOnce('/health', null, (answer) => answer.status === 503);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(down.body.status).toBe('degraded');
    expect(down.body.services.inventory).toEqual({ service: 'inventory', status: 'down' });
    expect(down.body.services['order-ingestion']).toEqual(up('order-ingestion').response);
    const withKey = await call('GET', '/health');
    expect(withKey.body.services.inventory).toEqual({ service: 'inventory', status: 'down', error: expect.stringMatching(/no answer to inventory\.health\.v1 within 2000 ms/) });

    services.on(HEALTH_CHECKS.inventory, () => up('inventory'));
    const ok = await answerOnce('/health', null, (answer) => answer.status === 200);
    expect(ok.body).toEqual({
      status: 'ok',
      services: Object.fromEntries(SERVICE_NAMES.map((name) => [name, up(name).response])),
    });
  });

  it("/health/live asks no service; /health/ready is 200 while services are down, silent or degraded (only the gateway's own dependencies fail it), naming them: why and account ids with a read key only", async () => {
    const live = await call('GET', '/health/live', { key: null });
    expect(live).toEqual({ status: 200, body: { status: 'ok', info: {}, error: {}, details: {} } });
    expect(services.received).toEqual([]);

    services.on(HEALTH_CHECKS['partner-resolution'], () => up('partner-resolution'));
    // order-ingestion is ready, one account's sync is overdue; inventory is silent; amazon-notifications' database is away.
    const overdue = `account ${ACCOUNT_ID}: no successful sync since 2026-12-06T20:00:00Z`;
    services.on(HEALTH_CHECKS['order-ingestion'], () => ({
      response: { service: 'order-ingestion', status: 'up', postgres: 'up', nats: 'up', degraded: ['sync'], details: { sync: overdue, parkedEvents: 'none parked' } },
    }));
    services.on(HEALTH_CHECKS['amazon-notifications'], () => ({
      response: { service: 'amazon-notifications', status: 'down', postgres: 'down', nats: 'up', problems: { postgres: 'connection refused' }, details: { parkedEvents: 'check failed: connection refused' } },
    }));
    const open = await answerOnce('/health/ready', null, (answer) => answer.body?.services?.['amazon-notifications']?.status === 'down');
    expect(open).toEqual({
      status: 200,
      body: {
        status: 'degraded',
        info: { postgres: { status: 'up' } },
        error: {},
        degraded: {},
        details: { postgres: { status: 'up' } },
        services: { 'partner-resolution': { status: 'up' }, 'order-ingestion': { status: 'degraded' }, inventory: { status: 'down' }, 'amazon-notifications': { status: 'down' } },
      },
    });
    expect(JSON.stringify(open.body)).not.toMatch(new RegExp(`${ACCOUNT_ID}|refused|health\\.v1`));

    const read = await call('GET', '/health/ready');
    expect(read.status).toBe(200);
    expect(read.body.services).toEqual({
      'partner-resolution': { status: 'up' },
      'order-ingestion': { status: 'degraded', message: `sync: ${overdue}` },
      inventory: { status: 'down', message: expect.stringMatching(/no answer to inventory\.health\.v1 within 2000 ms/) },
      'amazon-notifications': { status: 'down', message: 'postgres: connection refused' },
    });
    // The whole system's view: a service down is a 503 there, and says which feature is degraded (its words with a key only).
    const summary = await call('GET', '/health', { key: null });
    expect(summary.status).toBe(503);
    expect(summary.body.services['order-ingestion']).toEqual({ service: 'order-ingestion', status: 'up', postgres: 'up', nats: 'up', degraded: ['sync'] });
    expect(summary.body.services['amazon-notifications']).toEqual({ service: 'amazon-notifications', status: 'down', postgres: 'down', nats: 'up' });
    expect(JSON.stringify(summary.body)).not.toMatch(new RegExp(`${ACCOUNT_ID}|refused`));

    for (const name of SERVICE_NAMES) services.on(HEALTH_CHECKS[name], () => up(name));
    const ready = await answerOnce('/health/ready', null, (answer) => answer.body?.status === 'ok');
    expect(ready.status).toBe(200);
    expect(ready.body.services).toEqual(Object.fromEntries(SERVICE_NAMES.map((name) => [name, { status: 'up' }])));
  });

  it('a flood of probes shares one assessment: each service is asked once (twice if the second ends mid-flood), not once per probe', async () => {
    const asked = await waitUntil(
      async () => {
        services.reset();
        for (const name of SERVICE_NAMES) services.on(HEALTH_CHECKS[name], () => up(name));
        const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => call('GET', i % 2 ? '/health' : '/health/ready', { key: null })));
        expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
        const counts = SERVICE_NAMES.map((name) => services.received.filter((r) => r.subject === HEALTH_CHECKS[name].subject).length);
        // Polled until a flood came after the last assessment's second was over.
        return counts.some((count) => count > 0) ? counts : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 100, what: 'a flood that starts a new assessment' },
    );
    for (const count of asked) expect(count).toBeGreaterThanOrEqual(1);
    for (const count of asked) expect(count).toBeLessThanOrEqual(2);
  });

  it("/metrics needs a key and serves the gateway's registry; /metrics/services/:service asks a replica over NATS (404 unknown, 503 silent)", async () => {
    startProcessMetrics('gateway');
    const text = (path: string, key: string | null = KEY) => fetch(`${base}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
    expect((await text('/metrics', null)).status).toBe(401);
    const own = await text('/metrics');
    expect(own.status).toBe(200);
    expect(own.headers.get('content-type')).toMatch(/^text\/plain;.*version=0\.0\.4/);
    expect(await own.text()).toMatch(/^process_cpu_user_seconds_total\{service="gateway",replica="[^"]+-\d+"\} /m);

    services.on(METRICS_REQUESTS.inventory, () => ({ response: '# HELP up_orders x\nup_orders{service="inventory"} 3\n' }));
    const inventory = await text('/metrics/services/inventory');
    expect(inventory.status).toBe(200);
    expect(inventory.headers.get('content-type')).toMatch(/^text\/plain;.*version=0\.0\.4/);
    expect(await inventory.text()).toBe('# HELP up_orders x\nup_orders{service="inventory"} 3\n');
    expect(services.received).toEqual([{ subject: METRICS_REQUESTS.inventory.subject, data: {} }]);
    expect((await text('/metrics/services/inventory', null)).status).toBe(401);

    const unknown = await text('/metrics/services/billing');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ statusCode: 404, message: expect.stringContaining('inventory') });
    const silent = await text('/metrics/services/partner-resolution');
    expect(silent.status).toBe(503);
    expect(await silent.json()).toMatchObject({ statusCode: 503, message: expect.stringContaining('partner-resolution.metrics.v1') });
  });

  it('serves the OpenAPI document without a key', async () => {
    const res = await call('GET', '/docs-json', { key: null });
    expect(res.status).toBe(200);
    expect(res.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/orders', '/api/v1/orders/{id}', '/api/v1/deliveries/{id}/validate', '/health']),
    );
    const validate = res.body.paths['/api/v1/deliveries/{id}/validate'].post;
    expect(validate.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/ValidateDeliveryBody' });
    // carrierCode, or the seller's carrier name instead: neither is required alone.
    expect(res.body.components.schemas.ValidateDeliveryBody.required).toContain('trackingNumber');
    expect(Object.keys(res.body.components.schemas.ValidateDeliveryBody.properties)).toEqual(expect.arrayContaining(['carrierCode', 'carrier']));
    const ui = await fetch(`${base}/docs`);
    expect(ui.status).toBe(200);
  });

  it('serves the OpenAPI document that is committed (apps/gateway/openapi.json), with its answers and problems', async () => {
    const served = (await call('GET', '/docs-json', { key: null })).body;
    const committed = JSON.parse(readFileSync(resolve(__dirname, '../openapi.json'), 'utf8'));
    expect(served).toEqual(committed);
    const operations = Object.entries(served.paths as Record<string, Record<string, any>>).flatMap(([path, item]) => Object.entries(item).map(([method, operation]) => ({ path, method, operation })));
    const ids = operations.map((o) => o.operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { path, method, operation } of operations.filter((o) => o.path.startsWith('/api/v1/'))) {
      const statuses = Object.keys(operation.responses);
      // An answer of its own (2xx) and its problems, each problem+json.
      expect([path, method, statuses.some((status) => /^2/.test(status))]).toEqual([path, method, true]);
      // Its success documented with the schema of its body: a view ($ref) or a page of them ({ items, nextCursor }); a 204 has none.
      for (const status of statuses.filter((status) => /^2/.test(status))) {
        const content = operation.responses[status].content;
        const schema = content?.['application/json']?.schema;
        const view = (schema?.$ref ?? schema?.properties?.items?.items?.$ref ?? '').replace('#/components/schemas/', '');
        const documented = status === '204' ? content === undefined : served.components.schemas[view]?.properties !== undefined;
        expect([path, method, status, documented]).toEqual([path, method, status, true]);
      }
      // A route that takes a body may meet the body limit.
      if (operation.requestBody) expect([path, method, statuses]).toEqual([path, method, expect.arrayContaining(['413'])]);
      for (const status of statuses.filter((status) => Number(status) >= 400)) {
        expect(operation.responses[status].content['application/problem+json'].schema).toEqual({ $ref: '#/components/schemas/ProblemDetails' });
      }
      // A route open without a key (Amazon's redirect to the Link with Amazon callback) cannot answer 401 or 403;
      // the calling key's own view (any valid key, no input) neither 400 nor 403.
      const open = !operation.security;
      const anyKey = operation.operationId === 'getCaller';
      expect(statuses).toEqual(expect.arrayContaining(open ? ['400', '429'] : anyKey ? ['401', '429'] : ['400', '401', '403', '429']));
    }
    expect(operations.filter((o) => o.path.startsWith('/api/v1/') && !o.operation.security).map((o) => o.path)).toEqual(['/api/v1/authorizations/callback']);
    expect(served.paths['/api/v1/orders'].get.responses['200'].content['application/json'].schema.properties.items.items).toEqual({ $ref: '#/components/schemas/SalesOrderView' });
    expect(served.paths['/api/v1/orders/{id}'].get.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/OrderDetailsView' });
    expect(served.paths['/api/orders/{id}'].get).toMatchObject({ deprecated: true, operationId: 'getOrderUnversioned', responses: { 308: expect.any(Object) } });
    // The contract classes as the plugin read them: required fields, enums, formats, arrays, nesting.
    const schemas = served.components.schemas;
    expect(schemas.ValidateDeliveryBody.required).toEqual(['trackingNumber']);
    expect(schemas.ValidateDeliveryBody.properties.carrier).toMatchObject({ type: 'string', maxLength: 100 });
    expect(schemas.ValidateDeliveryBody.required).not.toContain('shipDate');
    expect(schemas.ValidateDeliveryBody.properties.carrierCode.enum).toContain('UPS');
    expect(schemas.ValidateDeliveryBody.properties.lines).toMatchObject({ type: 'array', items: { $ref: '#/components/schemas/ValidateDeliveryLine' }, minItems: 1 });
    expect(schemas.ValidateDeliveryLine.required).toEqual(['orderItemId', 'quantity']);
    const account = schemas.CreateAccountRequest.properties;
    expect(account.region.enum).toEqual(['NA', 'EU', 'FE']);
    expect(account.defaultProductId).toMatchObject({ type: 'string', format: 'uuid' });
    expect(account.initialSyncFrom).toMatchObject({ type: 'string', format: 'date-time' });
    const listOrders = Object.fromEntries(served.paths['/api/v1/orders'].get.parameters.map((p: any) => [p.name, p]));
    expect(listOrders.limit).toMatchObject({ in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 500 } });
    expect(listOrders.updatedSince.schema).toMatchObject({ type: 'string', format: 'date-time' });
    expect(listOrders.channel.schema.enum).toEqual(['FBA', 'FBM']);
    expect(account.refreshToken.writeOnly).toBe(true);
    expect(account.marketplaceIds).toMatchObject({ type: 'array', items: { type: 'string' }, minItems: 1 });
    expect(served.components.schemas.CreateAccountRequest.properties.lwaClientSecret.writeOnly).toBe(true);
    expect(served.components.schemas.AccountView.properties.lwaClientSecret).toBeUndefined();
  });

  it('answers an unversioned path with 308 to its /api/v1 path, before asking for a key, and a client that follows it keeps method and body', async () => {
    const id = randomUUID();
    const moved = await fetch(`${base}/api/deliveries/${id}/validate?x=1`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(moved.status).toBe(308);
    expect(moved.headers.get('location')).toBe(`/api/v1/deliveries/${id}/validate?x=1`);
    expect(moved.headers.get('deprecation')).toMatch(/^@\d+$/);
    expect(moved.headers.get('link')).toBe(`</api/v1/deliveries/${id}/validate?x=1>; rel="successor-version"`);
    expect((await fetch(`${base}/api`, { redirect: 'manual' })).headers.get('location')).toBe('/api/v1');
    expect(services.received).toEqual([]);

    services.on(VALIDATE_DELIVERY, (data) => ({ response: { ...data, state: 'done' } }));
    const followed = await call('POST', `/api/deliveries/${id}/validate`, { body: { carrierCode: 'UPS', trackingNumber: '1Z9' } });
    expect(followed.status).toBe(200);
    expect(services.received).toEqual([{ subject: VALIDATE_DELIVERY.subject, data: { id, carrierCode: 'UPS', trackingNumber: '1Z9' } }]);
    // Only /api itself and what is under it: the versioned path is not redirected again.
    expect((await fetch(`${base}/apiary`, { redirect: 'manual' })).status).toBe(404);
    expect((await fetch(`${base}/api/v1/orders`, { redirect: 'manual' })).status).toBe(401);
  });

  it('sends security headers, errors as application/problem+json without a stack, and 413 beyond the body limit', async () => {
    services.on(LIST_ORDERS, () => ({ response: { items: [] } }));
    const res = await fetch(`${base}/api/v1/orders`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('content-security-policy')).not.toContain('upgrade-insecure-requests');
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=/);
    expect(res.headers.get('x-powered-by')).toBeNull();
    const refused = await fetch(`${base}/api/v1/orders`);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);

    services.on(VALIDATE_DELIVERY, () => ({ err: { statusCode: 500, error: 'Internal Server Error', message: 'boom', stack: 'Error: boom\n    at secret.ts:1' } }));
    const failed = await call('POST', `/api/v1/deliveries/${randomUUID()}/validate`, { body: { carrierCode: 'UPS', trackingNumber: '1' } });
    expect(failed.status).toBe(500);
    expect(JSON.stringify(failed.body)).not.toMatch(/stack|secret\.ts/);

    // What PostgreSQL or the validator cannot take is a 400, never a 500, and asks no service.
    const asked = services.received.length;
    const nul = await call('GET', '/api/v1/orders?amazonOrderId=a%00b');
    expect(nul.status).toBe(400);
    expect(nul.body.details).toEqual([{ field: 'request', errors: ['text must not contain NUL characters'] }]);
    expect((await call('POST', `/api/v1/deliveries/${randomUUID()}/validate`, { raw: '{"carrierCode":"UPS","trackingNumber":"a\\u0000b"}' })).status).toBe(400);
    const deep = await call('POST', `/api/v1/deliveries/${randomUUID()}/validate`, { raw: '{"a":'.repeat(200) + '1' + '}'.repeat(200) });
    expect(deep.status).toBe(400);
    expect(deep.body.details[0].errors[0]).toMatch(/nested deeper/);
    expect((await call('GET', '/api/v1/orders?updatedSince=2026-02-30')).status).toBe(400);
    const form = await fetch(`${base}/api/v1/deliveries/${randomUUID()}/validate`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/x-www-form-urlencoded' }, body: 'carrierCode=UPS&trackingNumber=a%00b' });
    expect(form.status).toBe(400);
    expect(services.received.length).toBe(asked);

    // GATEWAY_BODY_LIMIT is 2kb here.
    const tooLarge = await call('POST', `/api/v1/deliveries/${randomUUID()}/validate`, { body: { carrierCode: 'UPS', trackingNumber: '1', note: 'x'.repeat(4096) } });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toMatchObject({ status: 413, title: 'Payload Too Large' });
    expect(services.received.filter((r) => r.data.note)).toEqual([]);

    // The import's 1 MiB parse is for callers with a key; without one, GATEWAY_BODY_LIMIT applies.
    const bigImport = JSON.stringify({ accounts: [{ name: 'x'.repeat(8192) }] });
    const noKey = await fetch(`${base}/api/v1/accounts/import`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bigImport });
    expect(noKey.status).toBe(413);
    expect((await noKey.json()).detail).toContain('(GATEWAY_BODY_LIMIT)');
    // With a key it is parsed (and refused for its fields, not its size); beyond 1 MiB the 413 names the import's limit.
    expect((await call('POST', '/api/v1/accounts/import', { raw: bigImport })).status).toBe(400);
    const overImport = await call('POST', '/api/v1/accounts/import', { raw: JSON.stringify({ accounts: [{ name: 'x'.repeat(1100 * 1024) }] }) });
    expect(overImport.status).toBe(413);
    expect(overImport.body.detail).toMatch(/larger than an import of accounts \(1024 KiB/);
    expect(overImport.body.detail).not.toContain('(GATEWAY_BODY_LIMIT)');
  });
});

describe('gateway request rate limits per API key', () => {
  const gateway = new TestGateway();
  let base: string;

  beforeAll(async () => {
    await gateway.start({ GATEWAY_API_KEYS: `key-one-for-limits,key-two-for-limits`, GATEWAY_RATE_LIMIT_PER_MINUTE: '5' });
    gateway.services.on(LIST_NOTIFICATIONS, () => ({ response: { items: [] } }));
    base = gateway.base;
  });
  afterAll(() => gateway.stop());

  const get = (key?: string) => fetch(`${base}/api/v1/notifications`, { headers: key ? { authorization: `Bearer ${key}` } : {} });

  it('answers 429 past the limit of a key, in problem+json, while another key still gets through', async () => {
    for (let i = 0; i < 5; i++) expect((await get('key-one-for-limits')).status).toBe(200);
    const limited = await get('key-one-for-limits');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(limited.headers.get('retry-after')).toBeTruthy();
    expect((await get('key-two-for-limits')).status).toBe(200);
  });

  it('counts guessed keys against the address, not a fresh allowance per guess', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await get(`guess-${i}`)).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429]);
  });
});

describe('gateway API keys: scopes, accounts, revocation and the audit log', () => {
  const ADMIN = 'environment-admin-key-for-tests';
  const ACCOUNT_A = randomUUID();
  const ACCOUNT_B = randomUUID();
  const gateway = new TestGateway();
  let base: string;
  let services: FakeServices;
  let database: TestEnvironment;

  beforeAll(async () => {
    await gateway.start({ GATEWAY_API_KEYS: ADMIN });
    ({ base, services, database } = gateway);
  });
  afterAll(() => gateway.stop());
  beforeEach(() => {
    services.reset();
    const accounts = new Set([ACCOUNT_A, ACCOUNT_B]);
    services.on(GET_ACCOUNT, (data) => (accounts.has(String(data.id)) ? { response: { id: data.id } } : { err: { statusCode: 404, error: 'Not Found', message: 'no such account' } }));
    services.on(LIST_ORDERS, () => ({ response: { items: [] } }));
    services.on(SYNC_ACCOUNT, (data) => ({ response: { accountId: data.id, requestedAt: new Date().toISOString() } }));
    services.on(UPDATE_ACCOUNT, (data) => ({ response: { id: data.id } }));
    services.on(GET_DELIVERY, (data) => ({ response: { id: data.id, accountId: ACCOUNT_B } }));
    services.on(VALIDATE_DELIVERY, (data) => ({ response: { id: data.id, state: 'done' } }));
  });

  const call = async (method: string, path: string, key: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
    return { status: res.status, body: (await res.json().catch(() => undefined)) as any };
  };
  const makeKey = async (request: Record<string, unknown>, by = ADMIN) => {
    const made = await call('POST', '/api/v1/keys', by, request);
    expect(made.status).toBe(201);
    return made.body as { id: string; key: string; keyPrefix: string };
  };

  it('makes a key shown once and kept only as a hash; lists keys without them', async () => {
    const made = await makeKey({ name: 'reporting', scopes: ['read'] });
    expect(made.key).toMatch(/^aoc_[A-Za-z0-9_-]{43}$/);
    const [row] = await database.query<{ key_hash: string }>(`select key_hash from access.api_keys where id = $1`, [made.id]);
    expect(row.key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.key_hash).not.toContain(made.key);
    const listed = await call('GET', '/api/v1/keys', ADMIN);
    expect(JSON.stringify(listed.body)).not.toContain(made.key);
    expect(listed.body.items.find((k: any) => k.id === made.id)).toMatchObject({ name: 'reporting', scopes: ['read'], keyPrefix: made.key.slice(0, 10), revokedAt: null });
    const bad = await call('POST', '/api/v1/keys', ADMIN, { name: 'x', scopes: ['everything'], accountIds: [randomUUID()] });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: any) => d.field)).toEqual(['scopes']);
    const unknownAccount = await call('POST', '/api/v1/keys', ADMIN, { name: 'x', scopes: ['read'], accountIds: [randomUUID()] });
    expect(unknownAccount.status).toBe(400);
    expect(unknownAccount.body.details[0].field).toBe('accountIds');
  });

  it('gives each key what its scopes allow: read sees, operate acts, admin changes', async () => {
    const reader = await makeKey({ name: 'reader', scopes: ['read'] });
    const operator = await makeKey({ name: 'operator', scopes: ['read', 'operate'] });
    expect((await call('GET', '/api/v1/orders', reader.key)).status).toBe(200);
    const readerSync = await call('POST', `/api/v1/accounts/${ACCOUNT_A}/sync`, reader.key);
    expect(readerSync.status).toBe(403);
    expect(readerSync.body.message).toMatch(/operate scope/);
    expect((await call('POST', `/api/v1/accounts/${ACCOUNT_A}/sync`, operator.key)).status).toBe(202);
    expect((await call('PATCH', `/api/v1/accounts/${ACCOUNT_A}`, operator.key, { name: 'n' })).status).toBe(403);
    expect((await call('POST', '/api/v1/keys', operator.key, { name: 'escalate', scopes: ['admin'] })).status).toBe(403);
    expect((await call('GET', '/api/v1/audit', operator.key)).status).toBe(403);
    expect(services.received.filter((r) => r.subject === UPDATE_ACCOUNT.subject)).toEqual([]);
  });

  it('tells any valid key who it is (GET /api/v1/access/me): name, prefix, scopes, accounts, never the key', async () => {
    const operator = await makeKey({ name: 'operate only', scopes: ['operate'] });
    const me = await call('GET', '/api/v1/access/me', operator.key);
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ id: operator.id, name: 'operate only', keyPrefix: operator.key.slice(0, 10), scopes: ['operate'], accountIds: null });
    expect(JSON.stringify(me.body)).not.toContain(operator.key);
    const limited = await makeKey({ name: 'reader A', scopes: ['read'], accountIds: [ACCOUNT_A] });
    expect((await call('GET', '/api/v1/access/me', limited.key)).body).toMatchObject({ name: 'reader A', scopes: ['read'], accountIds: [ACCOUNT_A] });
    expect((await call('GET', '/api/v1/access/me', ADMIN)).body).toEqual({ id: null, name: 'environment key', keyPrefix: null, scopes: ['read', 'operate', 'admin'], accountIds: null });
    expect((await call('GET', '/api/v1/access/me', 'aoc_not-a-key')).status).toBe(401);
  });

  it('serves /metrics to a key with the read scope (as Prometheus sends it: a bearer token), not to one without it or limited to some accounts', async () => {
    const scrape = (key: string) => fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${key}` } });
    const reader = await makeKey({ name: 'prometheus', scopes: ['read'] });
    const operator = await makeKey({ name: 'operate only', scopes: ['operate'] });
    const limited = await makeKey({ name: 'one account', scopes: ['read'], accountIds: [ACCOUNT_A] });
    expect((await scrape(reader.key)).status).toBe(200);
    const refused = await scrape(operator.key);
    expect(refused.status).toBe(403);
    expect((await refused.json()).message).toMatch(/read scope/);
    expect((await scrape(limited.key)).status).toBe(403);
  });

  it('keeps a key limited to some accounts to those accounts, before any change is made', async () => {
    const limited = await makeKey({ name: 'shop A', scopes: ['read', 'operate'], accountIds: [ACCOUNT_A] });
    expect((await call('GET', `/api/v1/orders?accountId=${ACCOUNT_A}`, limited.key)).status).toBe(200);
    expect((await call('GET', `/api/v1/orders?accountId=${ACCOUNT_B}`, limited.key)).status).toBe(403);
    expect((await call('GET', '/api/v1/orders', limited.key)).status).toBe(403);
    expect((await call('POST', `/api/v1/accounts/${ACCOUNT_A}/sync`, limited.key)).status).toBe(202);
    expect((await call('POST', `/api/v1/accounts/${ACCOUNT_B}/sync`, limited.key)).status).toBe(404);
    // The delivery is account B's: refused as unknown, and never validated.
    const validate = await call('POST', `/api/v1/deliveries/${randomUUID()}/validate`, limited.key, { carrierCode: 'UPS', trackingNumber: '1' });
    expect(validate.status).toBe(404);
    expect(services.received.filter((r) => r.subject === VALIDATE_DELIVERY.subject)).toEqual([]);
    expect((await call('GET', '/api/v1/partners', limited.key)).status).toBe(403);
    // An admin limited to A cannot mint a key for B, or one for every account.
    const limitedAdmin = await makeKey({ name: 'admin A', scopes: ['admin'], accountIds: [ACCOUNT_A] });
    expect((await call('POST', '/api/v1/keys', limitedAdmin.key, { name: 'wider', scopes: ['read'] })).status).toBe(400);
    expect((await call('POST', '/api/v1/keys', limitedAdmin.key, { name: 'other', scopes: ['read'], accountIds: [ACCOUNT_B] })).status).toBe(400);
  });

  it('refuses a revoked key', async () => {
    const key = await makeKey({ name: 'to revoke', scopes: ['read'] });
    expect((await call('GET', '/api/v1/orders', key.key)).status).toBe(200);
    const revoked = await call('DELETE', `/api/v1/keys/${key.id}`, ADMIN);
    expect(revoked.status).toBe(204);
    expect(revoked.body).toBeUndefined();
    const listed = await call('GET', '/api/v1/keys?includeRevoked=true&limit=500', ADMIN);
    expect(listed.body.items.find((k: any) => k.id === key.id).revokedAt).toEqual(expect.any(String));
    expect((await call('GET', '/api/v1/orders', key.key)).status).toBe(401);
  });

  it('writes every change to the audit log: which key, what (secrets redacted), how it ended; queryable by admins', async () => {
    const operator = await makeKey({ name: 'audited operator', scopes: ['read', 'operate', 'admin'] });
    await call('PATCH', `/api/v1/accounts/${ACCOUNT_A}`, operator.key, { name: 'Renamed', lwaClientSecret: 'audit-must-not-see-this', refreshToken: 'Atzr|nor-this' });
    await call('POST', `/api/v1/accounts/${ACCOUNT_A}/sync`, operator.key);
    await call('GET', '/api/v1/orders', operator.key);
    const log = await call('GET', `/api/v1/audit?keyId=${operator.id}`, ADMIN);
    expect(log.status).toBe(200);
    expect(log.body.items.map((e: any) => [e.action, e.status])).toEqual([
      ['POST /api/v1/accounts/:id/sync', 202],
      ['PATCH /api/v1/accounts/:id', 200],
    ]);
    expect(log.body.items[1]).toMatchObject({ keyName: 'audited operator', path: `/api/v1/accounts/${ACCOUNT_A}`, changes: { name: 'Renamed', lwaClientSecret: '[redacted]', refreshToken: '[redacted]' } });
    const everything = await database.query<{ changes: unknown }>(`select changes from access.audit_log`);
    expect(JSON.stringify(everything)).not.toMatch(/audit-must-not-see-this|nor-this|aoc_/);
    // The key that made the keys is the environment's.
    const made = await call('GET', '/api/v1/audit?method=POST&limit=500', ADMIN);
    expect(made.body.items.filter((e: any) => e.action === 'POST /api/v1/keys').every((e: any) => e.keyName === 'environment key' || e.keyId)).toBe(true);
  });

  it('audits what no body can hide: lone surrogates, deep nesting, and changes the guard refused', async () => {
    const key = await makeKey({ name: 'sly', scopes: ['read', 'operate', 'admin'], accountIds: [ACCOUNT_A] });
    const raw = async (method: string, path: string, body: string) => (await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${key.key}`, 'content-type': 'application/json' }, body })).status;
    expect(await raw('PATCH', `/api/v1/accounts/${ACCOUNT_A}`, '{"name":"x\\ud800"}')).toBe(200);
    // Deeper than the audit log keeps (8), within what the API takes (16).
    const nested = '{"j":'.repeat(12) + '1' + '}'.repeat(12);
    expect(await raw('POST', `/api/v1/accounts/${ACCOUNT_A}/sync`, nested)).toBe(202);
    // Refused by scope or account: audited with the key that tried.
    const reader = await makeKey({ name: 'sly reader', scopes: ['read'] });
    expect((await call('PATCH', `/api/v1/accounts/${ACCOUNT_A}`, reader.key, { name: 'no' })).status).toBe(403);
    expect((await call('POST', `/api/v1/accounts/${ACCOUNT_B}/sync`, key.key)).status).toBe(404);
    const entries = async (keyId: string) => (await call('GET', `/api/v1/audit?keyId=${keyId}&limit=50`, ADMIN)).body.items.map((e: any) => [e.action, e.status]);
    expect(await entries(key.id)).toEqual([
      ['POST /api/v1/accounts/:id/sync', 404],
      ['POST /api/v1/accounts/:id/sync', 202],
      ['PATCH /api/v1/accounts/:id', 200],
    ]);
    expect(await entries(reader.id)).toEqual([['PATCH /api/v1/accounts/:id', 403]]);
  });

  it('parked events: read lists and shows them per service, operate replays and discards (audited), limited keys are refused', async () => {
    const parked = { service: 'inventory', eventId: 'e-1', subject: 'order.synced.v1', reason: 'failed 8 times', deliveries: 8, parkedAt: new Date().toISOString(), discardedAt: null };
    services.on(PARKED_EVENTS.inventory.list, () => ({ response: { items: [parked] } }));
    services.on(PARKED_EVENTS.inventory.get, (data) => (data.eventId === 'e-1' ? { response: { ...parked, payload: null, payloadRedacted: true } } : { err: { statusCode: 404, error: 'Not Found', message: 'no parked event' } }));
    services.on(PARKED_EVENTS.inventory.replay, () => ({ response: { ...parked, outcome: 'replayed' } }));
    services.on(PARKED_EVENTS['order-ingestion'].discard, () => ({ response: { ...parked, service: 'order-ingestion', outcome: 'discarded', discardedAt: new Date().toISOString() } }));
    const reader = await makeKey({ name: 'parked reader', scopes: ['read'] });
    const operator = await makeKey({ name: 'parked operator', scopes: ['read', 'operate'] });
    const limited = await makeKey({ name: 'parked limited', scopes: ['read', 'operate'], accountIds: [ACCOUNT_A] });

    const listed = await call('GET', '/api/v1/parked-events?service=inventory&limit=10', reader.key);
    expect(listed).toMatchObject({ status: 200, body: { items: [parked] } });
    expect(services.received.find((r) => r.subject === PARKED_EVENTS.inventory.list.subject)?.data).toEqual({ limit: 10, state: 'parked' });
    expect((await call('GET', '/api/v1/parked-events/inventory/e-1', reader.key)).body).toMatchObject({ eventId: 'e-1', payload: null, payloadRedacted: true });
    expect((await call('GET', '/api/v1/parked-events/inventory/e-2', reader.key)).status).toBe(404);
    // Bad input: a clear 400, no service asked.
    services.reset();
    const noService = await call('GET', '/api/v1/parked-events', reader.key);
    expect(noService.status).toBe(400);
    expect(noService.body.details.map((d: any) => d.field)).toEqual(['service']);
    expect((await call('GET', '/api/v1/parked-events/gateway/e-1', reader.key)).status).toBe(400);
    expect(services.received).toEqual([]);

    services.on(PARKED_EVENTS.inventory.replay, () => ({ response: { ...parked, outcome: 'replayed' } }));
    services.on(PARKED_EVENTS['order-ingestion'].discard, () => ({ response: { ...parked, service: 'order-ingestion', outcome: 'discarded', discardedAt: new Date().toISOString() } }));
    expect((await call('POST', '/api/v1/parked-events/inventory/e-1/replay', reader.key)).status).toBe(403);
    expect((await call('GET', '/api/v1/parked-events?service=inventory', limited.key)).status).toBe(403);
    expect((await call('POST', '/api/v1/parked-events/inventory/e-1/replay', limited.key)).status).toBe(403);
    expect(services.received).toEqual([]);
    expect(await call('POST', '/api/v1/parked-events/inventory/e-1/replay', operator.key)).toMatchObject({ status: 200, body: { outcome: 'replayed' } });
    expect(await call('POST', '/api/v1/parked-events/order-ingestion/e-1/discard', operator.key)).toMatchObject({ status: 200, body: { outcome: 'discarded' } });
    const log = await call('GET', `/api/v1/audit?keyId=${operator.id}`, ADMIN);
    expect(log.body.items.map((e: any) => [e.action, e.status])).toEqual([
      ['POST /api/v1/parked-events/:service/:eventId/discard', 200],
      ['POST /api/v1/parked-events/:service/:eventId/replay', 200],
    ]);
  });

  it('makes no key with a scope the making key does not have', async () => {
    const adminOnly = await makeKey({ name: 'admin only', scopes: ['admin'] });
    const wider = await call('POST', '/api/v1/keys', adminOnly.key, { name: 'wider', scopes: ['read', 'admin'] });
    expect(wider.status).toBe(400);
    expect(wider.body.details).toEqual([{ field: 'scopes', errors: [expect.stringContaining('not read')] }]);
    expect((await call('POST', '/api/v1/keys', adminOnly.key, { name: 'same', scopes: ['admin'] })).status).toBe(201);
  });
});

describe('gateway Idempotency-Key, DELETE 204 and paged locations', () => {
  const ADMIN = 'environment-admin-key-for-idempotency';
  const OTHER = 'other-environment-key-for-idempotency';
  const gateway = new TestGateway();
  let base: string;
  let services: FakeServices;
  let database: TestEnvironment;

  beforeAll(async () => {
    await gateway.start({ GATEWAY_API_KEYS: `${ADMIN},${OTHER}` });
    ({ base, services, database } = gateway);
  });
  afterAll(() => gateway.stop());
  beforeEach(() => services.reset());

  const post = async (path: string, body: unknown, init: { key?: string; idempotencyKey?: string } = {}) => {
    const headers: Record<string, string> = { authorization: `Bearer ${init.key ?? ADMIN}`, 'content-type': 'application/json' };
    if (init.idempotencyKey !== undefined) headers['idempotency-key'] = init.idempotencyKey;
    const res = await fetch(`${base}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    return { status: res.status, replayed: res.headers.get('idempotency-replayed'), type: res.headers.get('content-type'), body: (await res.json().catch(() => undefined)) as any };
  };
  const asked = (request: AnyRequestContract) => services.received.filter((r) => r.subject === request.subject).length;

  it('replays the first answer, with its status, to the same key and body, without doing it again', async () => {
    let shipped = 0;
    services.on(VALIDATE_DELIVERY, (data) => ({ response: { id: data.id, state: 'done', shipment: ++shipped } }));
    const id = randomUUID();
    const key = randomUUID();
    const first = await post(`/api/v1/deliveries/${id}/validate`, { carrierCode: 'UPS', trackingNumber: '1Z9' }, { idempotencyKey: key });
    expect(first).toMatchObject({ status: 200, replayed: null, body: { id, state: 'done', shipment: 1 } });
    // The same body with its fields in another order is the same request.
    const again = await post(`/api/v1/deliveries/${id}/validate`, { trackingNumber: '1Z9', carrierCode: 'UPS' }, { idempotencyKey: key });
    expect(again).toMatchObject({ status: 200, replayed: 'true', body: first.body });
    expect(asked(VALIDATE_DELIVERY)).toBe(1);

    services.on(SYNC_ACCOUNT, (data) => ({ response: { accountId: data.id, requestedAt: new Date().toISOString() } }));
    const account = randomUUID();
    const sync = await post(`/api/v1/accounts/${account}/sync`, {}, { idempotencyKey: 'sync-once' });
    expect(await post(`/api/v1/accounts/${account}/sync`, {}, { idempotencyKey: 'sync-once' })).toMatchObject({ status: 202, replayed: 'true', body: sync.body });
    expect(asked(SYNC_ACCOUNT)).toBe(1);
    // Without a key, every request is done.
    await post(`/api/v1/accounts/${account}/sync`, {});
    await post(`/api/v1/accounts/${account}/sync`, {});
    expect(asked(SYNC_ACCOUNT)).toBe(3);
  });

  it('refuses the same key with another body or path (422), and while the first request still runs (409)', async () => {
    services.on(VALIDATE_DELIVERY, (data) => ({ response: { id: data.id, state: 'done' } }));
    const id = randomUUID();
    await post(`/api/v1/deliveries/${id}/validate`, { carrierCode: 'UPS', trackingNumber: 'A' }, { idempotencyKey: 'k-422' });
    const otherBody = await post(`/api/v1/deliveries/${id}/validate`, { carrierCode: 'UPS', trackingNumber: 'B' }, { idempotencyKey: 'k-422' });
    expect(otherBody).toMatchObject({ status: 422, body: { status: 422, title: 'Unprocessable Entity', detail: 'this Idempotency-Key was used with a different request' } });
    expect(otherBody.type).toMatch(/^application\/problem\+json/);
    expect((await post(`/api/v1/deliveries/${randomUUID()}/validate`, { carrierCode: 'UPS', trackingNumber: 'A' }, { idempotencyKey: 'k-422' })).status).toBe(422);
    expect(asked(VALIDATE_DELIVERY)).toBe(1);

    let finish!: () => void;
    const slow = new Promise<void>((done) => (finish = done));
    services.on(CANCEL_ORDER, async (data) => {
      await slow;
      return { response: { id: data.id, status: 'canceled' } };
    });
    const order = randomUUID();
    const running = post(`/api/v1/orders/${order}/cancel`, { reason: 'NoInventory' }, { idempotencyKey: 'k-running' });
    await waitFor(() => asked(CANCEL_ORDER) === 1);
    expect((await post(`/api/v1/orders/${order}/cancel`, { reason: 'NoInventory' }, { idempotencyKey: 'k-running' })).status).toBe(409);
    finish();
    expect((await running).status).toBe(200);
    expect(await post(`/api/v1/orders/${order}/cancel`, { reason: 'NoInventory' }, { idempotencyKey: 'k-running' })).toMatchObject({ status: 200, replayed: 'true' });
    expect(asked(CANCEL_ORDER)).toBe(1);
  });

  it('keeps keys per API key: another key with the same Idempotency-Key is another request', async () => {
    services.on(CANCEL_ORDER, (data) => ({ response: { id: data.id, status: 'canceled' } }));
    const order = randomUUID();
    const operator = await post('/api/v1/keys', { name: 'idempotent operator', scopes: ['read', 'operate'] });
    for (const key of [ADMIN, OTHER, operator.body.key]) {
      expect(await post(`/api/v1/orders/${order}/cancel`, { reason: 'NoInventory' }, { key, idempotencyKey: 'shared' })).toMatchObject({ status: 200, replayed: null });
    }
    expect(asked(CANCEL_ORDER)).toBe(3);
    expect(await post(`/api/v1/orders/${order}/cancel`, { reason: 'NoInventory' }, { key: OTHER, idempotencyKey: 'shared' })).toMatchObject({ status: 200, replayed: 'true' });
    expect(asked(CANCEL_ORDER)).toBe(3);
    // Neither API key is stored: a key's id, or a hash of an environment key.
    const callers = await database.query<{ caller: string }>(`select caller from access.idempotent_requests where idempotency_key = 'shared'`);
    expect(callers.map((row) => row.caller).sort()).toEqual([operator.body.id, expect.stringMatching(/^environment:[0-9a-f]{64}$/), expect.stringMatching(/^environment:[0-9a-f]{64}$/)].sort());
    expect(JSON.stringify(callers)).not.toMatch(new RegExp(`${ADMIN}|${OTHER}`));
  });

  it('replays a refusal (4xx) as it was, forgets a failure of ours (5xx), and refuses a malformed key', async () => {
    services.on(CANCEL_ORDER, () => ({ err: { statusCode: 409, error: 'Conflict', message: 'sales order is already cancelled' } }));
    const order = randomUUID();
    const refused = await post(`/api/v1/orders/${order}/cancel`, { reason: 'NoInventory' }, { idempotencyKey: 'k-409' });
    expect(refused).toMatchObject({ status: 409, body: { detail: 'sales order is already cancelled' } });
    const replayed = await post(`/api/v1/orders/${order}/cancel`, { reason: 'NoInventory' }, { idempotencyKey: 'k-409' });
    expect(replayed).toMatchObject({ status: 409, replayed: 'true', body: refused.body });
    expect(replayed.type).toMatch(/^application\/problem\+json/);
    expect(asked(CANCEL_ORDER)).toBe(1);

    let failures = 1;
    services.on(CANCEL_ORDER, (data) => (failures-- > 0 ? { err: { statusCode: 500, error: 'Internal Server Error', message: 'boom' } } : { response: { id: data.id, status: 'canceled' } }));
    expect((await post(`/api/v1/orders/${order}/cancel`, { reason: 'NoInventory' }, { idempotencyKey: 'k-500' })).status).toBe(500);
    expect(await post(`/api/v1/orders/${order}/cancel`, { reason: 'NoInventory' }, { idempotencyKey: 'k-500' })).toMatchObject({ status: 200, replayed: null });
    expect(asked(CANCEL_ORDER)).toBe(3);

    const malformed = await post(`/api/v1/orders/${order}/cancel`, { reason: 'NoInventory' }, { idempotencyKey: 'x'.repeat(256) });
    expect(malformed).toMatchObject({ status: 400, body: { details: [{ field: 'Idempotency-Key', errors: [expect.any(String)] }] } });
    expect(asked(CANCEL_ORDER)).toBe(3);

    // Cancelling units means "N more": without a key a retry would cancel more, so it is refused before the service is asked.
    const keyless = await post(`/api/v1/orders/${order}/cancel`, { reason: 'NoInventory', items: [{ orderItemId: '1', quantity: 1 }] });
    expect(keyless).toMatchObject({ status: 400, body: { details: [{ field: 'Idempotency-Key', errors: [expect.stringMatching(/required when items are given/)] }] } });
    expect(asked(CANCEL_ORDER)).toBe(3);
  });

  it('keeps the claim of a request whose service did not answer in time (it may have done the work): a retry gets 409, never a second run', async () => {
    let calls = 0;
    services.on(CANCEL_ORDER, () => void calls++); // silent
    const order = randomUUID();
    expect((await post(`/api/v1/orders/${order}/cancel`, { reason: 'NoInventory' }, { idempotencyKey: 'k-503' })).status).toBe(503);
    services.on(CANCEL_ORDER, (data) => (calls++, { response: { id: data.id, status: 'canceled' } }));
    expect((await post(`/api/v1/orders/${order}/cancel`, { reason: 'NoInventory' }, { idempotencyKey: 'k-503' })).status).toBe(409);
    expect(calls).toBe(1);
  });

  it('a request that lost its abandoned claim to a retry cannot write over or free the retry\'s record', async () => {
    const idempotency = gateway.app.get(IdempotencyService);
    const first = await idempotency.claim('caller-late', 'k-late', 'same');
    if (first.outcome !== 'new') throw new Error(`claimed: ${first.outcome}`);
    await database.query(`update access.idempotent_requests set created_at = now() - interval '5 minutes' where idempotency_key = 'k-late'`);
    const retry = await idempotency.claim('caller-late', 'k-late', 'same');
    if (retry.outcome !== 'new') throw new Error(`re-claimed: ${retry.outcome}`);
    await idempotency.complete('caller-late', 'k-late', first.token, 200, { from: 'the late first request' });
    await idempotency.release('caller-late', 'k-late', first.token);
    expect(await idempotency.claim('caller-late', 'k-late', 'same')).toEqual({ outcome: 'running' });
    await idempotency.complete('caller-late', 'k-late', retry.token, 200, { from: 'the retry' });
    expect(await idempotency.claim('caller-late', 'k-late', 'same')).toEqual({ outcome: 'replay', status: 200, response: { from: 'the retry' } });
  });

  it('forgets keys after 24 hours: the request is done again, and expired keys are deleted', async () => {
    services.on(CANCEL_ORDER, (data) => ({ response: { id: data.id, status: 'canceled' } }));
    const order = randomUUID();
    await post(`/api/v1/orders/${order}/cancel`, { reason: 'NoInventory' }, { idempotencyKey: 'k-old' });
    await database.query(`update access.idempotent_requests set created_at = now() - interval '25 hours' where idempotency_key = 'k-old'`);
    expect(await post(`/api/v1/orders/${order}/cancel`, { reason: 'NoInventory' }, { idempotencyKey: 'k-old' })).toMatchObject({ status: 200, replayed: null });
    expect(asked(CANCEL_ORDER)).toBe(2);

    await database.query(`update access.idempotent_requests set created_at = now() - interval '25 hours' where idempotency_key = 'k-old'`);
    const kept = await database.query<{ count: number }>(`select count(*)::int as count from access.idempotent_requests`);
    expect(await gateway.app.get(IdempotencyService).prune()).toBe(1);
    expect((await database.query<{ count: number }>(`select count(*)::int as count from access.idempotent_requests`))[0].count).toBe(kept[0].count - 1);
  });

  it('answers DELETE with 204 and no body', async () => {
    const id = randomUUID();
    services.on(DELETE_ACCOUNT, (data) => ({ response: { id: data.id, deleted: true } }));
    const res = await fetch(`${base}/api/v1/accounts/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${ADMIN}` } });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    expect(services.received).toEqual([{ subject: DELETE_ACCOUNT.subject, data: { id } }]);
    services.on(DELETE_ACCOUNT, () => ({ err: { statusCode: 404, error: 'Not Found', message: `account ${id} not found` } }));
    expect((await fetch(`${base}/api/v1/accounts/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${ADMIN}` } })).status).toBe(404);
  });

  it('pages locations like every other list: limit and cursor go to inventory, its page comes back', async () => {
    services.on(LIST_LOCATIONS, () => ({ response: { items: [{ id: 'l1', name: 'Stock', kind: 'stock', accountId: null }], nextCursor: 'c2' } }));
    const res = await fetch(`${base}/api/v1/locations?limit=1&cursor=c1`, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ items: [{ id: 'l1', name: 'Stock', kind: 'stock', accountId: null }], nextCursor: 'c2' });
    expect(services.received).toEqual([{ subject: LIST_LOCATIONS.subject, data: { limit: 1, cursor: 'c1' } }]);
    expect((await fetch(`${base}/api/v1/locations?limit=501`, { headers: { authorization: `Bearer ${ADMIN}` } })).status).toBe(400);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((done) => setTimeout(done, 20));
  }
}
