import { natsInboxPrefix, PARKED_EVENTS, SERVICE_NAMES } from '@connector/contracts';
import { connect } from 'nats';
import { request } from '@connector/local-system';
import { API_KEY, RunningSystem } from '@connector/testing';

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
    expect(ready.body).toMatchObject({ status: 'ok', error: {}, info: { postgres: { status: 'up' }, nats: { status: 'up' }, parkedEvents: { status: 'up', message: 'none parked' } } });
  });

  it('the gateway: /health/live, /health/ready with every service, and one service\'s metrics over NATS', async () => {
    expect((await running.api('GET', '/health/live', undefined, null)).status).toBe(200);
    const ready = await running.api('GET', '/health/ready', undefined, null);
    expect(ready.status).toBe(200);
    expect(Object.keys(ready.body.info).sort()).toEqual(['nats', 'postgres', ...SERVICE_NAMES].sort());
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
