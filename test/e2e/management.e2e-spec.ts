import { natsInboxPrefix, PARKED_EVENTS, SERVICE_NAMES } from '@connector/contracts';
import { connect } from 'nats';
import { request } from '@connector/local-system';
import { API_KEY, RunningSystem, waitFor } from '@connector/testing';

/**
 * Every service without an HTTP API has a management HTTP server of its own (MANAGEMENT_PORT,
 * MANAGEMENT_HOST): liveness for restart policies and Prometheus's /metrics.
 */
describe('management HTTP server of every service', () => {
  const running = new RunningSystem();

  beforeAll(async () => {
    await running.start();
  });

  afterAll(async () => {
    await running.stop();
  });

  it.each(SERVICE_NAMES)('%s: /health/live answers 200 on the address it printed, on 127.0.0.1 by default', async (service) => {
    const url = running.system.managementUrl(service);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const live = await request('GET', `${url}/health/live`);
    expect(live).toEqual({ status: 200, body: { status: 'ok', info: {}, error: {}, details: {} } });
  });

  it.each(SERVICE_NAMES)('%s: /health/ready answers 200 with PostgreSQL, NATS and its features\' checks', async (service) => {
    const ready = await request<any>('GET', `${running.system.managementUrl(service)}/health/ready`);
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ok', error: {}, degraded: {}, info: { postgres: { status: 'up' }, nats: { status: 'up' }, parkedEvents: { status: 'up', message: 'none parked' } } });
  });

  it('the gateway: /health/live, /health/ready for its own dependencies with every service summarised, and one service\'s metrics over NATS', async () => {
    expect((await running.api('GET', '/health/live', undefined, null)).status).toBe(200);
    const ready = await running.api('GET', '/health/ready', undefined, null);
    expect(ready.status).toBe(200);
    expect(Object.keys(ready.body.info).sort()).toEqual(['nats', 'postgres']);
    expect(ready.body.services).toEqual(Object.fromEntries(SERVICE_NAMES.map((service) => [service, { status: 'up' }])));
    const metrics = await fetch(`${running.gatewayUrl}/metrics/services/order-ingestion`, { headers: { authorization: `Bearer ${API_KEY}` } });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^process_resident_memory_bytes\{service="order-ingestion",replica="[^"]+-\d+"\} \d+/m);
    const own = await fetch(`${running.gatewayUrl}/metrics`, { headers: { authorization: `Bearer ${API_KEY}` } });
    expect(await own.text()).toMatch(/^process_resident_memory_bytes\{service="gateway",replica="[^"]+-\d+"\} \d+/m);
  });

  it.each(SERVICE_NAMES)('%s: /metrics serves the process figures in Prometheus text, labelled with the service', async (service) => {
    const response = await fetch(`${running.system.managementUrl(service)}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain;.*version=0\.0\.4/);
    const text = await response.text();
    expect(text).toMatch(new RegExp(`^process_resident_memory_bytes\\{service="${service}",replica="[^"]+-\\d+"\\} \\d+`, 'm'));
    expect(text).toMatch(new RegExp(`^nodejs_eventloop_lag_seconds\\{service="${service}",replica="[^"]+-\\d+"\\} `, 'm'));
  });

  it("an account whose sync is overdue leaves every /health/ready 200, named as degraded: its id only on the management port and to a read key, never to a caller without one", async () => {
    const seller = { sellerId: 'A2MGMTOVERDUE1', clientId: 'overdue-client', clientSecret: 'overdue-secret', refreshToken: 'Atzr|overdue', marketplaceIds: ['A1PA6795UKMFR9'] };
    expect((await running.sandbox('POST', '/_sandbox/sellers', seller)).status).toBe(201);
    // A refresh token the sandbox refuses: no run succeeds; created a day ago, so its sync is long overdue.
    const created = await running.createAccount(seller, 'EU', { refreshToken: 'Atzr|revoked', syncIntervalSeconds: 60 });
    expect(created.status).toBe(201);
    const accountId: string = created.body.id;
    await running.env.query(`update ingestion.seller_accounts set created_at = now() - interval '1 day' where id = $1`, [accountId]);

    const own = await waitFor(
      async () => {
        const answer = await request<any>('GET', `${running.system.managementUrl('order-ingestion')}/health/ready`);
        return answer.body?.degraded?.sync ? answer : undefined;
      },
      { timeoutMs: 30_000, what: "order-ingestion's readiness to name the overdue sync" },
    );
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ status: 'degraded', error: {}, info: { postgres: { status: 'up' }, nats: { status: 'up' } }, degraded: { sync: { status: 'degraded', message: expect.stringContaining(`account ${accountId}: no successful sync since`) } } });

    const gateway = await waitFor(
      async () => {
        const answer = await running.api('GET', '/health/ready', undefined, null);
        return answer.body?.services?.['order-ingestion']?.status === 'degraded' ? answer : undefined;
      },
      { timeoutMs: 10_000, what: "the gateway's readiness to show order-ingestion degraded" },
    );
    expect(gateway.status).toBe(200);
    expect(gateway.body.status).toBe('degraded');
    expect(gateway.body.services['order-ingestion']).toEqual({ status: 'degraded' });
    expect(JSON.stringify(gateway.body)).not.toContain(accountId);
    const withKey = await running.api('GET', '/health/ready');
    expect(withKey.body.services['order-ingestion']).toEqual({ status: 'degraded', message: expect.stringContaining(`sync: account ${accountId}`) });
    // The whole system's view stays 200: every service is ready.
    const system = await running.api('GET', '/health', undefined, null);
    expect(system.status).toBe(200);
    expect(system.body.services['order-ingestion']).toEqual({ service: 'order-ingestion', status: 'up', postgres: 'up', nats: 'up', degraded: ['sync'] });
    expect(JSON.stringify(system.body)).not.toContain(accountId);
    expect((await running.api('DELETE', `/api/v1/accounts/${accountId}`)).status).toBe(204);
  });

  it('a replica gets a management server of its own', async () => {
    const replica = await running.system.startReplica('inventory');
    expect(replica.managementUrl).toBeDefined();
    expect(replica.managementUrl).not.toBe(running.system.managementUrl('inventory'));
    const text = await (await fetch(`${replica.managementUrl}/metrics`)).text();
    // Its own replica label, so its series and the first replica's stay apart.
    const replicaOf = (metrics: string) => /^process_start_time_seconds\{service="inventory",replica="([^"]+)"\} \d+/m.exec(metrics)?.[1];
    const first = replicaOf(await (await fetch(`${running.system.managementUrl('inventory')}/metrics`)).text());
    expect(replicaOf(text)).toMatch(/-\d+$/);
    expect(first).toMatch(/-\d+$/);
    expect(replicaOf(text)).not.toBe(first);
    expect((await request('GET', `${replica.managementUrl}/health/live`)).status).toBe(200);
    await replica.stop();
  });

  it('the NATS listener beside it still validates every request against its contract', async () => {
    // Asked as the gateway asks (its inbox), with a field the contract does not have.
    const nc = await connect({ servers: running.env.natsUrl, inboxPrefix: natsInboxPrefix('gateway') });
    try {
      const subject = PARKED_EVENTS.inventory.get.subject;
      const answer = await nc.request(`${running.env.namespace}.${subject}`, JSON.stringify({ pattern: subject, data: { eventId: 'e1', unexpected: 1 }, id: 'm1' }), { timeout: 5000 });
      expect(JSON.parse(answer.string())).toMatchObject({ err: { statusCode: 400, error: 'Bad Request', message: 'Validation failed' } });
    } finally {
      await nc.close();
    }
  });

  it('the gateway has none (it serves its routes on GATEWAY_PORT)', () => {
    expect(() => running.system.managementUrl('gateway')).toThrow(/has not said where its management HTTP server listens/);
  });
});
