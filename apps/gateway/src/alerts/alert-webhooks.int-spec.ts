import { INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ALERT_RAISED, AlertKind, AlertRaisedEvent } from '@connector/contracts';
import { EventStream } from '@connector/messaging';
import { newRowId, runMigrations } from '@connector/persistence';
import { loadSettings, SETTINGS } from '@connector/platform';
import { ScrapedMetrics } from '@connector/test-environment';
import { TestEnvironment, waitFor } from '@connector/testing';
import { register } from 'prom-client';
import { createHash, randomUUID } from 'node:crypto';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { GatewayModule } from '../app.module';
import { gatewayDataSource } from '../data-source';
import { GatewaySettings } from '../gateway.settings';
import { SystemHealth } from '../health/system-health';
import { setupGateway } from '../setup';
import { AlertSender } from './alert-sender';
import { verifySignature } from './alert-signature';
import { ServiceReadinessWatch } from './service-readiness.watch';

/*
 * The gateway in-process over real PostgreSQL and NATS JetStream, services absent: alerts are
 * published on the stream as a service's outbox relay publishes them, and webhooks are a real
 * HTTP server of this test. Its readiness watch is run by hand here (its timer is off), so the
 * test says when the absent services fail a check.
 */

jest.setTimeout(60_000);

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const ADMIN_KEY = 'alerts-int-admin-key';
const LIMITED_KEY = 'aoc_alerts-int-limited-key';
const READ_ONLY_KEY = 'aoc_alerts-int-read-only-key';
const ACCOUNT_A = randomUUID();
const ACCOUNT_B = randomUUID();

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: Record<string, any>;
}

/** A webhook receiver: records every POST; each path answers the statuses it was told, in turn, then 200. */
class Receiver {
  readonly received: Received[] = [];
  private readonly answers = new Map<string, number[]>();
  private server!: Server;
  base!: string;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        this.received.push({ path: req.url ?? '', headers: req.headers, body, json: JSON.parse(body) });
        const status = this.answers.get(req.url ?? '')?.shift() ?? 200;
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'receiver is down');
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  answer(path: string, ...statuses: number[]): void {
    this.answers.set(path, statuses);
  }

  at(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('alert webhooks', () => {
  const namespace = `t${Date.now()}${Math.floor(Math.random() * 1e6)}`;
  let env: TestEnvironment;
  let app: INestApplication;
  let base: string;
  let receiver: Receiver;
  let publisher: EventStream;
  let db: DataSource;

  const call = (method: string, path: string, init: { body?: unknown; key?: string } = {}) =>
    fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${init.key ?? ADMIN_KEY}`, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
    }).then(async (res) => ({ status: res.status, body: (await res.json().catch(() => undefined)) as Record<string, any> }));

  /** Publishes an alert as order-ingestion's outbox relay would (event id = message id). */
  const raise = async (fields: Partial<AlertRaisedEvent> & Pick<AlertRaisedEvent, 'kind'>, correlationId?: string): Promise<AlertRaisedEvent> => {
    const alert: AlertRaisedEvent = { alertId: newRowId(), occurredAt: new Date().toISOString(), service: 'order-ingestion', summary: `a ${fields.kind} alert`, details: { reason: 'test' }, ...fields };
    await publisher.publishAll([{ subject: ALERT_RAISED.subject, data: JSON.stringify(alert), id: newRowId(), correlationId }]);
    return alert;
  };

  const subscribe = async (path: string, body: Record<string, unknown>, key = ADMIN_KEY) => {
    const res = await call('POST', '/api/v1/alert-webhooks', { body: { url: `${receiver.base}${path}`, ...body }, key });
    expect(res.status).toBe(201);
    return res.body as { id: string; secret: string; global: boolean };
  };

  const deliveries = async (webhookId: string, key = ADMIN_KEY) => (await call('GET', `/api/v1/alert-webhooks/${webhookId}/deliveries`, { key })).body.items as Record<string, any>[];

  /** The gateway's log lines (Nest's Logger, whatever level the app prints), by level. */
  const logged: { warn: string[]; error: string[] } = { warn: [], error: [] };
  const scrape = async () => new ScrapedMetrics(await register.metrics());

  /** The gateway's settings; `strict`: without the allowance of the receiver's 127.0.0.1. */
  let settingsOf: (strict?: boolean) => GatewaySettings;

  beforeAll(async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void logged.warn.push(String(message)));
    jest.spyOn(Logger.prototype, 'error').mockImplementation((message: unknown) => void logged.error.push(String(message)));
    receiver = await new Receiver().start();
    env = await new TestEnvironment().setUp();
    await runMigrations(gatewayDataSource(env.databaseUrl));
    settingsOf = (strict = false) => loadSettings(GatewaySettings, {
      DATABASE_URL: env.databaseUrl,
      NATS_URL,
      NATS_NAMESPACE: namespace,
      LOG_LEVEL: 'error',
      GATEWAY_API_KEYS: ADMIN_KEY,
      ALERT_HEALTH_CHECK_SECONDS: '0',
      ALERT_NOT_READY_CHECKS: '2',
      ALERT_DELIVERY_TIMEOUT_SECONDS: '2',
      // The receiver of this test is on loopback, which webhooks may not reach otherwise.
      ALERT_WEBHOOK_ALLOWED_HOSTS: strict ? '' : '127.0.0.1',
    });
    const settings = settingsOf();
    app = await NestFactory.create(GatewayModule.forRoot(settings), { logger: ['error'] });
    await setupGateway(app, settings);
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    db = app.get(DataSource);
    // A key of the database that may see account A only.
    for (const [key, scopes] of [[LIMITED_KEY, '{read,operate}'], [READ_ONLY_KEY, '{read}']]) {
      await db.query(
        `insert into api_keys (id, name, key_hash, key_prefix, scopes, account_ids, created_by) values ($1, 'shop A', $2, 'aoc_alerts', $3, $4, 'environment')`,
        [randomUUID(), createHash('sha256').update(key).digest('hex'), scopes, [ACCOUNT_A]],
      );
    }
    publisher = new EventStream({ natsUrl: NATS_URL, namespace, serviceName: 'alerts-int-publisher' });
    await publisher.ensureStream();
  });

  afterAll(async () => {
    await app?.close();
    const jsm = await publisher?.manager().catch(() => undefined);
    await jsm?.streams.delete(publisher.streamName).catch(() => undefined);
    await publisher?.onApplicationShutdown();
    await env?.tearDown();
    await receiver?.stop();
  });

  it('sends an alert once, signed with the secret shown at creation, and logs its delivery', async () => {
    const webhook = await subscribe('/signed', { kinds: [AlertKind.OrderQuarantined] });
    expect(webhook.global).toBe(true);
    expect(webhook.secret).toMatch(/^whsec_/);
    const alert = await raise({ kind: AlertKind.OrderQuarantined, accountId: ACCOUNT_A, amazonOrderId: '305-0000000-0000001', summary: 'order 305-0000000-0000001 is quarantined' }, 'sync-run-4711');

    const [got] = await waitFor(() => receiver.at('/signed').length > 0 && receiver.at('/signed'), { what: 'the alert at the webhook' });
    expect(got.json).toEqual({
      id: alert.alertId,
      kind: 'order.quarantined',
      occurredAt: alert.occurredAt,
      accountId: ACCOUNT_A,
      amazonOrderId: '305-0000000-0000001',
      service: 'order-ingestion',
      summary: 'order 305-0000000-0000001 is quarantined',
      details: { reason: 'test' },
      // The work that raised it (its event's correlation id): its log lines carry it.
      correlationId: 'sync-run-4711',
    });
    expect(got.headers['x-connector-alert-id']).toBe(alert.alertId);
    const signature = String(got.headers['x-connector-signature']);
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifySignature(webhook.secret, got.body, signature)).toBe(true);
    // Another secret, or a body changed on the way, does not verify.
    expect(verifySignature(`${webhook.secret}x`, got.body, signature)).toBe(false);
    expect(verifySignature(webhook.secret, got.body.replace('quarantined', 'fine'), signature)).toBe(false);

    const [logged] = await waitFor(async () => {
      const rows = await deliveries(webhook.id);
      return rows.length === 1 && rows[0].deliveredAt && rows;
    }, { what: 'the delivery logged as delivered' });
    expect(logged).toMatchObject({ alertId: alert.alertId, kind: 'order.quarantined', attempts: 1, lastStatus: 200, lastError: null, nextAttemptAt: null, givenUpAt: null });
    // Never the secret again: not in the list, not in the audit log.
    const list = await call('GET', '/api/v1/alert-webhooks');
    expect(list.body.items.find((w: { id: string }) => w.id === webhook.id)).toMatchObject({ id: webhook.id, global: true });
    expect(JSON.stringify(list.body)).not.toContain(webhook.secret);
    const audit = await call('GET', '/api/v1/audit');
    expect(audit.body.items.find((e: { path: string; method: string }) => e.method === 'POST' && e.path === '/api/v1/alert-webhooks')).toMatchObject({ status: 201 });
    expect(JSON.stringify(audit.body)).not.toContain(webhook.secret);
    expect(receiver.at('/signed')).toHaveLength(1);
  });

  it('retries a webhook that answers 500: one delivery, two attempts, sent once it answers 200', async () => {
    receiver.answer('/flaky', 500);
    const webhook = await subscribe('/flaky', { kinds: [AlertKind.NotificationFailed] });
    const alert = await raise({ kind: AlertKind.NotificationFailed, service: 'amazon-notifications', accountId: ACCOUNT_B, amazonOrderId: '305-0000000-0000002' });

    const [logged] = await waitFor(async () => {
      const rows = await deliveries(webhook.id);
      return rows.length === 1 && rows[0].deliveredAt && rows;
    }, { what: 'the delivery delivered after a retry' });
    expect(logged).toMatchObject({ alertId: alert.alertId, attempts: 2, lastStatus: 200, lastError: null });

    const posts = receiver.at('/flaky');
    expect(posts).toHaveLength(2);
    // The same alert both times: the receiver dedupes by its id.
    expect(posts.map((p) => p.headers['x-connector-alert-id'])).toEqual([alert.alertId, alert.alertId]);
    expect(posts.every((p) => verifySignature(webhook.secret, p.body, String(p.headers['x-connector-signature'])))).toBe(true);
  });

  it('logs a failing delivery with its status and next try (never the answer of the receiver), and stops it when the webhook goes', async () => {
    receiver.answer('/down', ...Array<number>(50).fill(503));
    const webhook = await subscribe('/down', { kinds: [AlertKind.OrderQuarantined] });
    await raise({ kind: AlertKind.OrderQuarantined, accountId: ACCOUNT_A });
    const [failing] = await waitFor(async () => {
      const rows = await deliveries(webhook.id);
      return rows[0]?.attempts >= 1 && rows[0].lastStatus === 503 && rows;
    }, { what: 'a failed try in the log' });
    expect(failing).toMatchObject({ lastStatus: 503, lastError: 'HTTP 503', deliveredAt: null, givenUpAt: null, nextAttemptAt: expect.any(String) });
    // A broken channel leaves a trace: a warn line per failed try (ids, kind, the coarse error, the try, the next), and the metrics.
    const line = await waitFor(() => logged.warn.find((l) => l.includes(`webhook ${webhook.id}`)), { what: 'the failed try logged' });
    expect(line).toBe(`alert delivery failed: webhook ${webhook.id}, alert ${failing.alertId}, kind order.quarantined: HTTP 503, attempt 1, next try at ${new Date(failing.nextAttemptAt).toISOString()}`);
    expect(line).not.toContain('receiver is down');
    expect(line).not.toContain(receiver.base);
    const metrics = await scrape();
    expect(metrics.sum('connector_alert_deliveries', { state: 'failing' })).toBeGreaterThanOrEqual(1);
    expect(metrics.sum('connector_alert_delivery_attempts_total', { outcome: 'failed' })).toBeGreaterThanOrEqual(2); // /flaky's first try and this one
    expect(metrics.sum('connector_alert_delivery_attempts_total', { outcome: 'delivered' })).toBeGreaterThanOrEqual(2);
    expect((await call('DELETE', `/api/v1/alert-webhooks/${webhook.id}`)).status).toBe(204);
    // Its log stays in the database (the API knows the webhook no more): nothing is due.
    const [stopped] = await waitFor(async () => {
      const rows: { next_attempt_at: Date | null; delivered_at: Date | null; canceled_at: Date | null }[] = await db.query(`select next_attempt_at, delivered_at, canceled_at from alert_deliveries where webhook_id = $1`, [webhook.id]);
      return rows[0]?.next_attempt_at === null && rows;
    }, { what: 'the delivery stopped' });
    expect(stopped.delivered_at).toBeNull();
    expect(stopped.canceled_at).not.toBeNull();
    expect((await call('GET', `/api/v1/alert-webhooks/${webhook.id}/deliveries`)).status).toBe(404);
  });

  it('sends each delivery once while several gateway replicas send at the same time', async () => {
    const webhook = await subscribe('/replicas', { kinds: [AlertKind.OrderQuarantined] });
    // Three senders over one database: this gateway's and two more, as other replicas run them.
    const replicas = [new AlertSender(db, app.get(SETTINGS)), new AlertSender(db, app.get(SETTINGS))];
    const ids = Array.from({ length: 60 }, () => newRowId());
    await db.query(
      `insert into alert_deliveries (id, webhook_id, alert_id, kind, body, attempts, next_attempt_at)
       select gen_random_uuid(), $1, alert_id, 'order.quarantined', jsonb_build_object('id', alert_id, 'kind', 'order.quarantined'), 0, now() from unnest($2::uuid[]) as alert_id`,
      [webhook.id, ids],
    );
    await Promise.all(replicas.map((replica) => replica.sendDue()));
    await waitFor(async () => (await db.query(`select count(*)::int as n from alert_deliveries where webhook_id = $1 and delivered_at is not null`, [webhook.id]))[0].n === 60, { what: 'every delivery done' });
    const received = receiver.at('/replicas').map((r) => r.json.id);
    expect(received).toHaveLength(60);
    expect(new Set(received)).toEqual(new Set(ids));
  });

  it("sends a key's webhook only the alerts of the accounts that key may see; global ones get all", async () => {
    const limited = await subscribe('/shop-a', { kinds: [AlertKind.EventParked, AlertKind.SyncStalled] }, LIMITED_KEY);
    expect(limited.global).toBe(false);
    const global = await subscribe('/everything', { kinds: [AlertKind.SyncStalled, AlertKind.EventParked] });
    const ofA = await raise({ kind: AlertKind.SyncStalled, accountId: ACCOUNT_A });
    const ofB = await raise({ kind: AlertKind.SyncStalled, accountId: ACCOUNT_B });
    const ofNone = await raise({ kind: AlertKind.EventParked, service: 'inventory' });
    const resolvedA = await raise({ kind: AlertKind.SyncStalled, accountId: ACCOUNT_A, resolved: true });

    await waitFor(() => receiver.at('/everything').length === 4, { what: 'every alert at the global webhook' });
    await waitFor(() => receiver.at('/shop-a').length >= 2, { what: "account A's alerts at its key's webhook" });
    // Delivered in the order they were raised, one after the other: by the last, the others would have come.
    await waitFor(async () => (await deliveries(limited.id, LIMITED_KEY)).every((d) => d.deliveredAt), { what: "the key's deliveries done" });
    expect(receiver.at('/shop-a').map((r) => [r.json.id, r.json.kind]).sort()).toEqual(
      [
        [ofA.alertId, 'account.sync_stalled'],
        [resolvedA.alertId, 'account.sync_stalled.resolved'],
      ].sort(),
    );
    expect(receiver.at('/everything').map((r) => r.json.id).sort()).toEqual([ofA.alertId, ofB.alertId, ofNone.alertId, resolvedA.alertId].sort());

    // The limited key sees its own webhook only, and may not make a global one or one for another account.
    const mine = await call('GET', '/api/v1/alert-webhooks', { key: LIMITED_KEY });
    expect(mine.body.items.map((w: { id: string }) => w.id)).toEqual([limited.id]);
    expect((await call('GET', `/api/v1/alert-webhooks/${global.id}/deliveries`, { key: LIMITED_KEY })).status).toBe(404);
    const refused = await call('POST', '/api/v1/alert-webhooks', { key: LIMITED_KEY, body: { url: `${receiver.base}/x`, kinds: ['order.quarantined'], global: true, accountIds: [ACCOUNT_B] } });
    expect(refused.status).toBe(400);
    expect(refused.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['accountIds', 'global']);
    // Subscribing is the daily work (operate): a read-only key lists, and may not subscribe.
    expect((await call('POST', '/api/v1/alert-webhooks', { key: READ_ONLY_KEY, body: { url: `${receiver.base}/x`, kinds: ['order.quarantined'] } })).status).toBe(403);
    expect((await call('GET', '/api/v1/alert-webhooks', { key: READ_ONLY_KEY })).body.items).toEqual([]);
  });

  it("tells an account episode when the first service opens it, and its end only when the last one's ends", async () => {
    await subscribe('/episodes', { kinds: [AlertKind.CredentialsRefused] });
    const account = randomUUID();
    const refused = (service: string, resolved = false) => raise({ kind: AlertKind.CredentialsRefused, accountId: account, service, ...(resolved ? { resolved } : {}) });
    // The review's sequence: two services' episodes of one account, interleaved.
    const first = await refused('order-ingestion');
    await refused('amazon-notifications');
    // One service sees the credentials work again: the other still sees them refused.
    await refused('order-ingestion', true);
    // order-ingestion meets a refusal again: still the same episode for the webhooks.
    await refused('order-ingestion');
    // amazon-notifications' episode ends; order-ingestion's goes on: nothing to tell.
    await refused('amazon-notifications', true);
    // A service's end never heard opened (amazon-notifications again) changes nothing.
    await refused('amazon-notifications', true);
    const ended = await refused('order-ingestion', true);
    // A new episode after the end is told again.
    const again = await refused('amazon-notifications');
    // Events are handled in order: once the last one's delivery is done, the others were decided and made.
    await waitFor(async () => {
      const rows: { delivered: boolean }[] = await db.query(`select d.delivered_at is not null as delivered from alert_deliveries d join alert_webhooks w on w.id = d.webhook_id where w.url like '%/episodes'`);
      return receiver.at('/episodes').some((r) => r.json.id === again.alertId) && rows.every((r) => r.delivered);
    }, { what: 'the second episode, every delivery done' });
    // (Sent side by side: in any order.)
    expect(receiver.at('/episodes').map((r) => [r.json.id, r.json.kind]).sort()).toEqual(
      [
        [first.alertId, 'account.credentials_refused'],
        [ended.alertId, 'account.credentials_refused.resolved'],
        [again.alertId, 'account.credentials_refused'],
      ].sort(),
    );
    expect(await db.query(`select service from alert_episode_sources where account_id = $1`, [account])).toEqual([{ service: 'amazon-notifications' }]);
  });

  it("cancels deliveries made for a webhook deleted, or a key revoked, just before: not sent, canceled in the log", async () => {
    const keyId = randomUUID();
    const key = `aoc_alerts-int-revoked-${randomUUID()}`;
    await db.query(`insert into api_keys (id, name, key_hash, key_prefix, scopes, account_ids, created_by) values ($1, 'soon revoked', $2, 'aoc_alerts', '{read,operate}', $3, 'environment')`, [
      keyId,
      createHash('sha256').update(key).digest('hex'),
      [ACCOUNT_A],
    ]);
    const ofRevokedKey = await subscribe('/revoked-key', { kinds: [AlertKind.OrderQuarantined] }, key);
    const deleted = await subscribe('/deleted', { kinds: [AlertKind.OrderQuarantined] });
    await db.query(`update api_keys set revoked_at = now() where id = $1`, [keyId]);
    expect((await call('DELETE', `/api/v1/alert-webhooks/${deleted.id}`)).status).toBe(204);
    // As fanOut would make them in a consumer's transaction that commits just after the revocation and the delete.
    const made = [ofRevokedKey.id, deleted.id].map((webhookId) => ({ webhookId, alertId: newRowId() }));
    for (const { webhookId, alertId } of made) {
      await db.query(`insert into alert_deliveries (id, webhook_id, alert_id, kind, body, attempts, next_attempt_at) values ($1, $2, $3::uuid, 'order.quarantined', jsonb_build_object('id', $3::uuid), 0, now())`, [newRowId(), webhookId, alertId]);
    }
    app.get(AlertSender).kick();
    const rows = await waitFor(async () => {
      const found: { canceled_at: Date | null; next_attempt_at: Date | null; attempts: number; delivered_at: Date | null }[] = await db.query(
        `select canceled_at, next_attempt_at, attempts, delivered_at from alert_deliveries where alert_id = any($1::uuid[])`,
        [made.map((m) => m.alertId)],
      );
      return found.length === 2 && found.every((row) => row.canceled_at !== null) && found;
    }, { what: 'both deliveries canceled' });
    expect(rows.every((row) => row.next_attempt_at === null && row.delivered_at === null && row.attempts === 0)).toBe(true);
    expect(receiver.at('/revoked-key')).toEqual([]);
    expect(receiver.at('/deleted')).toEqual([]);
  });

  it('refuses bad subscriptions with 400 naming each field, and writes nothing', async () => {
    const before = (await db.query(`select count(*)::int as n from alert_webhooks`))[0].n;
    const bad = await call('POST', '/api/v1/alert-webhooks', { body: { url: 'ftp://example.com/hook', kinds: ['order.quarantined', 'nonsense'], accountIds: ['not-a-uuid'] } });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['accountIds', 'kinds', 'url']);
    const noKinds = await call('POST', '/api/v1/alert-webhooks', { body: { url: 'javascript:alert(1)', kinds: [] } });
    expect(noKinds.status).toBe(400);
    expect(noKinds.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['kinds', 'url']);
    expect((await db.query(`select count(*)::int as n from alert_webhooks`))[0].n).toBe(before);
  });

  it('sends a test alert on request, and nothing more once the webhook is deleted', async () => {
    const webhook = await subscribe('/tested', { kinds: [AlertKind.OrderQuarantined] });
    const queued = await call('POST', `/api/v1/alert-webhooks/${webhook.id}/test`);
    expect(queued.status).toBe(202);
    const [got] = await waitFor(() => receiver.at('/tested').length > 0 && receiver.at('/tested'), { what: 'the test alert' });
    expect(got.json).toMatchObject({ id: queued.body.alertId, kind: 'test', service: 'gateway' });
    expect(verifySignature(webhook.secret, got.body, String(got.headers['x-connector-signature']))).toBe(true);

    expect((await call('DELETE', `/api/v1/alert-webhooks/${webhook.id}`)).status).toBe(204);
    expect((await call('POST', `/api/v1/alert-webhooks/${webhook.id}/test`)).status).toBe(404);
    // An alert raised after the delete reaches the other webhooks of its kind, not this one.
    const later = await raise({ kind: AlertKind.OrderQuarantined, accountId: ACCOUNT_A });
    await waitFor(() => receiver.at('/signed').some((r) => r.json.id === later.alertId), { what: 'the later alert at another webhook' });
    expect(receiver.at('/tested')).toHaveLength(1);
  });

  it('alerts each service that does not answer its health checks once per episode', async () => {
    const webhook = await subscribe('/readiness', { kinds: [AlertKind.ServiceNotReady] });
    const watch = app.get(ServiceReadinessWatch);
    // No service runs here. One failed check is not yet an episode (ALERT_NOT_READY_CHECKS=2).
    await watch.checkAll();
    expect(await deliveries(webhook.id)).toEqual([]);
    await watch.checkAll();
    await waitFor(() => receiver.at('/readiness').length >= 4, { what: 'a not-ready alert per service' });
    // More failed checks: still one alert per service.
    await watch.checkAll();
    await watch.checkAll();
    expect(await deliveries(webhook.id)).toHaveLength(4);
    await waitFor(async () => (await deliveries(webhook.id)).every((d) => d.deliveredAt), { what: 'every readiness delivery done' });
    expect(receiver.at('/readiness')).toHaveLength(4);
    expect(receiver.at('/readiness').map((r) => r.json.service).sort()).toEqual(['amazon-notifications', 'inventory', 'order-ingestion', 'partner-resolution']);
    expect(receiver.at('/readiness').every((r) => r.json.kind === 'service.not_ready' && /failed 2 health checks in a row/.test(r.json.summary))).toBe(true);
    // In the gateway's log too, once per episode.
    const raised = logged.warn.filter((l) => l.startsWith('service.not_ready raised for inventory:'));
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatch(/inventory failed 2 health checks in a row/);

    // Every service answers again: each episode ends, told and logged once.
    const assess = jest.spyOn(app.get(SystemHealth), 'assess').mockResolvedValue({
      gateway: { status: 'ok', info: {}, error: {}, degraded: {}, details: {} },
      services: Object.fromEntries(['partner-resolution', 'inventory', 'order-ingestion', 'amazon-notifications'].map((service) => [service, { status: 'up', postgres: 'up', nats: 'up' }])),
    } as never);
    try {
      await watch.checkAll();
      await watch.checkAll();
    } finally {
      assess.mockRestore();
    }
    await waitFor(() => receiver.at('/readiness').filter((r) => r.json.kind === 'service.not_ready.resolved').length === 4, { what: 'a resolved alert per service' });
    expect(logged.warn.filter((l) => l.startsWith('service.not_ready resolved for inventory:'))).toEqual(['service.not_ready resolved for inventory: it answers its health checks again (1 webhook deliveries)']);
  });

  it('gives up a delivery whose retries ran out: an error line, counted as given up', async () => {
    receiver.answer('/gone', 500);
    const webhook = await subscribe('/gone', { kinds: [AlertKind.OrderQuarantined] });
    const alertId = newRowId();
    // Made longer ago than ALERT_RETRY_HOURS: this try is its last.
    await db.query(
      `insert into alert_deliveries (id, webhook_id, alert_id, kind, body, attempts, next_attempt_at, created_at)
       values ($1, $2, $3::uuid, 'order.quarantined', jsonb_build_object('id', $3::uuid, 'kind', 'order.quarantined'), 0, now(), now() - interval '1000 hours')`,
      [newRowId(), webhook.id, alertId],
    );
    app.get(AlertSender).kick();
    const [row] = await waitFor(async () => {
      const rows = await deliveries(webhook.id);
      return rows[0]?.givenUpAt && rows;
    }, { what: 'the delivery given up' });
    expect(row).toMatchObject({ alertId, attempts: 1, lastError: 'HTTP 500', nextAttemptAt: null });
    const line = logged.error.find((l) => l.includes(`alert ${alertId}`));
    expect(line).toMatch(new RegExp(`^alert delivery given up: webhook ${webhook.id}, alert ${alertId}, kind order.quarantined: HTTP 500, attempt 1, no more tries`));
    await waitFor(async () => (await scrape()).sum('connector_alert_deliveries', { state: 'given_up' }) >= 1, { what: 'the delivery counted as given up' });
  });

  // Last: it stops this gateway's own sender, so that only the senders it makes send.
  it('refuses webhooks to non-public addresses: literal ones when subscribed, resolved ones when sent; the log says so coarsely', async () => {
    const before = (await db.query(`select count(*)::int as n from alert_webhooks`))[0].n;
    for (const url of ['http://10.0.0.7/hook', 'http://169.254.169.254/latest/meta-data', 'http://[::1]:8080/hook', 'http://127.0.0.2/hook', 'http://[fd00::1]/hook', 'http://0.0.0.0/hook', 'http://user:pass@example.com/hook']) {
      const refused = await call('POST', '/api/v1/alert-webhooks', { body: { url, kinds: [AlertKind.OrderQuarantined] } });
      expect([url, refused.status, refused.body.details?.map((d: { field: string }) => d.field)]).toEqual([url, 400, ['url']]);
    }
    expect((await db.query(`select count(*)::int as n from alert_webhooks`))[0].n).toBe(before);

    await app.get(AlertSender).onApplicationShutdown();
    const port = new URL(receiver.base).port;
    const subscribeUrl = async (url: string) => {
      const res = await call('POST', '/api/v1/alert-webhooks', { body: { url, kinds: [AlertKind.OrderQuarantined] } });
      expect(res.status).toBe(201);
      const webhook = res.body as { id: string };
      expect((await call('POST', `/api/v1/alert-webhooks/${webhook.id}/test`)).status).toBe(202);
      return webhook;
    };
    const lastOf = async (webhookId: string) => (await deliveries(webhookId))[0];

    // A port nothing listens on: the log says the connection was refused, not where.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const refusing = await subscribeUrl(`http://127.0.0.1:${closedPort}/nobody`);
    await new AlertSender(db, settingsOf()).sendDue();
    expect(await lastOf(refusing.id)).toMatchObject({ attempts: 1, lastStatus: null, lastError: 'connection refused' });

    // A name is taken when subscribed; where it leads is checked on each send, on what it
    // resolves to then (localhost: loopback, whatever it resolved to before).
    const byName = await subscribeUrl(`http://localhost:${port}/by-name`);
    // An address allowed when subscribed (ALERT_WEBHOOK_ALLOWED_HOSTS), and allowed no more.
    const literal = await subscribeUrl(`${receiver.base}/literal`);
    await new AlertSender(db, settingsOf(true)).sendDue();
    expect(await lastOf(byName.id)).toMatchObject({ attempts: 1, lastStatus: null, lastError: 'address not allowed', deliveredAt: null });
    expect(await lastOf(literal.id)).toMatchObject({ attempts: 1, lastStatus: null, lastError: 'address not allowed', deliveredAt: null });
    expect(receiver.at('/by-name')).toHaveLength(0);
    expect(receiver.at('/literal')).toHaveLength(0);
  });
});
