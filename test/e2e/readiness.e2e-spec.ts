import { SERVICE_NAMES } from '@connector/contracts';
import { HttpAnswer, request } from '@connector/local-system';
import { scrapeMetrics } from '@connector/test-environment';
import { API_KEY, NatsServerProcess, PostgresCluster, RunningSystem, waitFor } from '@connector/testing';

/**
 * Readiness follows the process's own dependencies and liveness does not: with PostgreSQL or NATS
 * stopped, every service's /health/ready (and the gateway's) answers 503 naming the part that is
 * away, in our words (never a driver's text with hosts or ports; the gateway's in status words
 * only to a caller without a key), and 200 again once it is back, while /health/live answers 200
 * all along (a restart would cure nothing). On a PostgreSQL and a NATS server of the test's own,
 * so they can be stopped.
 */
/** What readiness may say of a dependency that is away: our own words. */
const OUR_WORDS = /^(connection refused|connection lost|connection reset|not connected|no answer within 2 s|database shutting down|database starting up|timed out|failed \(\w+\))$/;
describe('readiness through a PostgreSQL and a NATS outage, liveness untouched', () => {
  let cluster: PostgresCluster;
  let nats: NatsServerProcess;
  let running: RunningSystem;
  /** Every /health/live answer that was not 200 while the test ran (polled in the background). */
  const notLive: string[] = [];
  let liveChecks = 0;
  let polling = true;
  let poller: Promise<void>;

  const ready = (url: string, headers: Record<string, string> = {}) => request<any>('GET', `${url}/health/ready`, undefined, headers).catch((err): HttpAnswer => ({ status: 0, body: String(err) }));
  /** No host, port, role or driver text in an answer. */
  const saysNoInternals = (body: unknown) => {
    expect(JSON.stringify(body)).not.toMatch(/127\.0\.0\.1|localhost|:\d{4,5}\b|postgres(ql)?:\/\/|nats:\/\/|password|\brole\b/i);
    // The drivers' codes, as they write them.
    expect(JSON.stringify(body)).not.toMatch(/ECONN|DISCONNECT|CONNECTION_CLOSED/);
  };
  const managementUrls = () => SERVICE_NAMES.map((service) => [service, running.system.managementUrl(service)] as const);
  const everyLiveUrl = () => [...managementUrls(), ['gateway', running.gatewayUrl] as const];

  beforeAll(async () => {
    cluster = await PostgresCluster.create();
    nats = await NatsServerProcess.start('');
    running = await new RunningSystem({ postgresAdminUrl: cluster.url, natsUrl: nats.url }).start();
    poller = (async () => {
      while (polling) {
        await Promise.all(
          everyLiveUrl().map(async ([name, url]) => {
            const answer = await request('GET', `${url}/health/live`).catch((err) => ({ status: 0, body: String(err) }));
            liveChecks++;
            if (answer.status !== 200) notLive.push(`${name}: ${answer.status} ${JSON.stringify(answer.body)}`);
          }),
        );
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
  }, 180_000);

  afterAll(async () => {
    polling = false;
    await poller;
    await running?.stop();
    await nats?.stop();
    await cluster?.destroy();
  }, 60_000);

  /** Waits until every service's and the gateway's readiness answers `status`, and gives the answers. */
  const allReady = (status: 200 | 503, what: string) =>
    waitFor(
      async () => {
        const answers = await Promise.all([...managementUrls(), ['gateway', running.gatewayUrl] as const].map(async ([name, url]) => [name, await ready(url)] as const));
        return answers.every(([, answer]) => answer.status === status) ? Object.fromEntries(answers) : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, what },
    );

  /** Each service's connector_ready as its management /metrics says it (what Prometheus scrapes). */
  const readyGauges = async () => Object.fromEntries(await Promise.all(managementUrls().map(async ([name, url]) => [name, (await scrapeMetrics(`${url}/metrics`)).sum('connector_ready')] as const)));
  const everyService = (value: number) => Object.fromEntries(SERVICE_NAMES.map((service) => [service, value]));

  it('is ready when everything runs', async () => {
    const answers = await allReady(200, 'everything ready');
    for (const service of SERVICE_NAMES) expect(answers[service].body).toMatchObject({ status: 'ok', info: { postgres: { status: 'up' }, nats: { status: 'up' } } });
    expect(answers.gateway.body).toMatchObject({ status: 'ok', services: Object.fromEntries(SERVICE_NAMES.map((service) => [service, { status: 'up' }])) });
    expect(await readyGauges()).toEqual(everyService(1));
  });

  it('PostgreSQL stopped: 503 naming postgres, everywhere; 200 again once it is back', async () => {
    await cluster.crash();
    try {
      const answers = await allReady(503, 'every readiness 503 without PostgreSQL');
      for (const service of SERVICE_NAMES) {
        expect(answers[service].body).toMatchObject({ status: 'error', error: { postgres: { status: 'down', message: expect.stringMatching(OUR_WORDS) } }, info: { nats: { status: 'up' } } });
        // Only its own dependencies fail it: a feature's check that cannot read the database is degraded, not down.
        expect(Object.keys(answers[service].body.error)).toEqual(['postgres']);
        saysNoInternals(answers[service].body);
      }
      // The gateway (no key): its own database, and each service not ready, in status words only.
      expect(answers.gateway.body).toMatchObject({ status: 'error', error: { postgres: { status: 'down' } }, info: { nats: { status: 'up' } }, services: { inventory: { status: 'down' } } });
      expect(JSON.stringify(answers.gateway.body)).not.toContain('message');
      saysNoInternals(answers.gateway.body);
      // Each still serves /metrics (up == 1 for Prometheus), and says it is not ready there: ConnectorServiceNotReady fires.
      await waitFor(async () => JSON.stringify(await readyGauges()) === JSON.stringify(everyService(0)), { timeoutMs: 30_000, what: 'connector_ready 0 in every service' });
    } finally {
      await cluster.start();
    }
    const back = await allReady(200, 'every readiness 200 with PostgreSQL back');
    expect(back.inventory.body.info.postgres).toEqual({ status: 'up' });
  }, 120_000);

  it('NATS stopped: 503 naming nats, everywhere; 200 again once it is back', async () => {
    await nats.kill();
    try {
      const answers = await allReady(503, 'every readiness 503 without NATS');
      for (const service of SERVICE_NAMES) {
        expect(answers[service].body).toMatchObject({ status: 'error', error: { nats: { status: 'down', message: expect.stringMatching(/^(connection lost|not connected|no answer within 2 s)$/) } }, info: { postgres: { status: 'up' } } });
        saysNoInternals(answers[service].body);
      }
      // The gateway: its own NATS connection, and no service answering over it; why only to a read key.
      expect(answers.gateway.body).toMatchObject({ status: 'error', error: { nats: { status: 'down' } }, info: { postgres: { status: 'up' } }, services: { inventory: { status: 'down' } } });
      expect(JSON.stringify(answers.gateway.body)).not.toContain('message');
      const withKey = await ready(running.gatewayUrl, { authorization: `Bearer ${API_KEY}` });
      expect(withKey.status).toBe(503);
      expect(withKey.body).toMatchObject({ error: { nats: { status: 'down', message: expect.stringMatching(OUR_WORDS) } }, services: { inventory: { status: 'down', message: expect.stringMatching(/inventory\.health\.v1/) } } });
      saysNoInternals(withKey.body);
      // The gateway's own /metrics says it too (its database answers the API key).
      await waitFor(async () => (await scrapeMetrics(`${running.gatewayUrl}/metrics`, API_KEY)).sum('connector_ready') === 0, { timeoutMs: 30_000, what: "the gateway's connector_ready 0" });
    } finally {
      await nats.restart();
    }
    const back = await allReady(200, 'every readiness 200 with NATS back');
    expect(back.inventory.body.info.nats).toEqual({ status: 'up' });
    await waitFor(async () => JSON.stringify(await readyGauges()) === JSON.stringify(everyService(1)), { timeoutMs: 30_000, what: 'connector_ready 1 again' });
  }, 120_000);

  it('liveness answered 200 all along', () => {
    expect(liveChecks).toBeGreaterThan(50);
    expect(notLive).toEqual([]);
  });
});
