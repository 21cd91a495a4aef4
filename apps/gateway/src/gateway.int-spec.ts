import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  GET_DELIVERY,
  GET_ORDER,
  GET_PARTNER,
  healthSubject,
  LIST_NOTIFICATIONS,
  LIST_ORDERS,
  SERVICE_NAMES,
  VALIDATE_DELIVERY,
} from '@connector/contracts';
import { loadSettings } from '@connector/platform';
import { connect, JSONCodec, NatsConnection } from 'nats';
import { randomUUID } from 'node:crypto';
import { GatewayModule } from './app.module';
import { GatewaySettings } from './gateway.settings';
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

class FakeServices {
  readonly received: { subject: string; data: Record<string, unknown> }[] = [];
  readonly handlers = new Map<string, (data: Record<string, unknown>) => Answer>();

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
        const answer = fake.handlers.get(subject)?.(packet.data);
        if (!answer || !msg.reply) return; // silent, like a service that is down
        msg.respond(codec.encode({ id: packet.id, ...answer, isDisposed: true } as Record<string, unknown>));
      },
    });
    await nc.flush();
    return fake;
  }

  on(subject: string, handler: (data: Record<string, unknown>) => Answer): void {
    this.handlers.set(subject, handler);
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

describe('gateway over NATS', () => {
  const namespace = `t${Date.now()}${Math.floor(Math.random() * 1e6)}`;
  let app: INestApplication;
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
    services = await FakeServices.start(namespace);
    const settings = loadSettings(GatewaySettings, {
      NATS_URL,
      NATS_NAMESPACE: namespace,
      GATEWAY_API_KEYS: `other-key,${KEY}`,
      LOG_LEVEL: 'error',
    });
    app = await NestFactory.create(GatewayModule.forRoot(settings), { logger: ['error'] });
    setupGateway(app, settings);
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
    await services?.close();
  });

  beforeEach(() => services.reset());

  it('answers 401 without a valid API key, and asks no service', async () => {
    for (const key of [null, 'wrong-key']) {
      const res = await call('GET', '/api/orders', { key });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'missing or invalid API key' });
    }
    expect(services.received).toEqual([]);
  });

  it('answers 400 on a malformed JSON body, in the error shape, without asking a service', async () => {
    const res = await call('POST', `/api/deliveries/${randomUUID()}/validate`, { raw: '{"carrierCode": "UPS",' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.stringMatching(/JSON/) });
    expect(services.received).toEqual([]);
  });

  it('answers 400 naming each failing field, without asking a service', async () => {
    const res = await call('POST', `/api/deliveries/${randomUUID()}/validate`, {
      body: { carrierCode: 'Pony Express', trackingNumber: 'T1', lwaClientSecret: 'do-not-echo' },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: 'Validation failed' });
    expect(res.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['carrierCode', 'lwaClientSecret']);
    expect(JSON.stringify(res.body)).not.toContain('do-not-echo');

    const badId = await call('GET', '/api/deliveries/not-a-uuid');
    expect(badId.status).toBe(400);
    expect(badId.body.details).toEqual([{ field: 'id', errors: ['id must be a UUID'] }]);

    const badQuery = await call('GET', '/api/orders?channel=XYZ&color=red');
    expect(badQuery.status).toBe(400);
    expect(badQuery.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['channel', 'color']);
    expect(services.received).toEqual([]);
  });

  it('sends { id, ...body } to the owning service and returns its answer', async () => {
    const id = randomUUID();
    services.on(VALIDATE_DELIVERY, (data) => ({ response: { ...data, state: 'done' } }));
    const res = await call('POST', `/api/deliveries/${id}/validate`, { body: { carrierCode: 'UPS', trackingNumber: '1Z9' } });
    expect(res.status).toBe(200);
    expect(services.received).toEqual([{ subject: VALIDATE_DELIVERY, data: { id, carrierCode: 'UPS', trackingNumber: '1Z9' } }]);
    expect(res.body).toMatchObject({ id, state: 'done' });
  });

  it('passes a service error status code through (404)', async () => {
    const id = randomUUID();
    services.on(GET_DELIVERY, () => ({ err: { statusCode: 404, error: 'Not Found', message: `delivery ${id} not found` } }));
    const res = await call('GET', `/api/deliveries/${id}`);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: `delivery ${id} not found` });
  });

  it('passes limit and cursor through and returns the page', async () => {
    services.on(LIST_ORDERS, () => ({ response: { items: [{ id: 'o1' }], nextCursor: 'c2' } }));
    const res = await call('GET', '/api/orders?limit=1&cursor=c1&channel=FBM');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [{ id: 'o1' }], nextCursor: 'c2' });
    expect(services.received).toEqual([{ subject: LIST_ORDERS, data: { limit: 1, cursor: 'c1', channel: 'FBM' } }]);
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
    const res = await call('GET', `/api/orders/${id}`);
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
    const res = await call('GET', `/api/orders/${randomUUID()}`);
    expect(res.status).toBe(404);
    expect(res.body.message).toBe('no such order');
  });

  it('/health is open: 503 when a service is silent, 200 when all answer', async () => {
    const up = (service: string) => ({ response: { service, status: 'up', postgres: 'up', nats: 'up' } });
    for (const name of SERVICE_NAMES.filter((n) => n !== 'inventory')) services.on(healthSubject(name), () => up(name));
    const started = Date.now();
    const down = await call('GET', '/health', { key: null });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(down.status).toBe(503);
    expect(down.body.status).not.toBe('ok');
    expect(down.body.services.inventory.status).toBe('down');
    expect(down.body.services['order-ingestion'].status).toBe('up');

    services.on(healthSubject('inventory'), () => up('inventory'));
    const ok = await call('GET', '/health', { key: null });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({
      status: 'ok',
      services: Object.fromEntries(SERVICE_NAMES.map((name) => [name, up(name).response])),
    });
  });

  it('serves the OpenAPI document without a key', async () => {
    const res = await call('GET', '/docs-json', { key: null });
    expect(res.status).toBe(200);
    expect(res.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/api/orders', '/api/orders/{id}', '/api/deliveries/{id}/validate', '/health']),
    );
    const validate = res.body.paths['/api/deliveries/{id}/validate'].post;
    expect(validate.requestBody.content['application/json'].schema.required).toContain('carrierCode');
    const ui = await fetch(`${base}/docs`);
    expect(ui.status).toBe(200);
  });
});
