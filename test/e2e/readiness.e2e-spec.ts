import { SERVICE_NAMES } from '@connector/contracts';
import { HttpAnswer, request } from '@connector/local-system';
import { NatsServerProcess, PostgresCluster, RunningSystem, waitFor } from '@connector/testing';

/**
 * Readiness follows the dependencies and liveness does not: with PostgreSQL or NATS stopped, every
 * service's /health/ready (and the gateway's) answers 503 naming the part that is away, and 200
 * again once it is back, while /health/live answers 200 all along (a restart would cure nothing).
 * On a PostgreSQL and a NATS server of the test's own, so they can be stopped.
 */
describe('readiness through a PostgreSQL and a NATS outage, liveness untouched', () => {
  let cluster: PostgresCluster;
  let nats: NatsServerProcess;
  let running: RunningSystem;
  /** Every /health/live answer that was not 200 while the test ran (polled in the background). */
  const notLive: string[] = [];
  let liveChecks = 0;
  let polling = true;
  let poller: Promise<void>;

  const ready = (url: string) => request<any>('GET', `${url}/health/ready`).catch((err): HttpAnswer => ({ status: 0, body: String(err) }));
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

  it('is ready when everything runs', async () => {
    const answers = await allReady(200, 'everything ready');
    for (const service of SERVICE_NAMES) expect(answers[service].body).toMatchObject({ status: 'ok', info: { postgres: { status: 'up' }, nats: { status: 'up' } } });
    expect(answers.gateway.body.status).toBe('ok');
  });

  it('PostgreSQL stopped: 503 naming postgres, everywhere; 200 again once it is back', async () => {
    await cluster.crash();
    try {
      const answers = await allReady(503, 'every readiness 503 without PostgreSQL');
      for (const service of SERVICE_NAMES) {
        expect(answers[service].body).toMatchObject({ status: 'error', error: { postgres: { status: 'down', message: expect.any(String) } }, info: { nats: { status: 'up' } } });
      }
      // The gateway: its own database, and each service saying its database is away.
      expect(answers.gateway.body.error).toMatchObject({ postgres: { status: 'down' }, inventory: { status: 'down', postgres: 'down', nats: 'up' } });
      expect(answers.gateway.body.info).toMatchObject({ nats: { status: 'up' } });
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
        expect(answers[service].body).toMatchObject({ status: 'error', error: { nats: { status: 'down', message: expect.stringMatching(/NATS connection is lost|no answer within 2000 ms/) } }, info: { postgres: { status: 'up' } } });
      }
      // The gateway: its own NATS connection, and no service answering over it.
      expect(answers.gateway.body.error).toMatchObject({ nats: { status: 'down' }, inventory: { status: 'down', message: expect.stringMatching(/inventory\.health\.v1/) } });
      expect(answers.gateway.body.info).toMatchObject({ postgres: { status: 'up' } });
    } finally {
      await nats.restart();
    }
    const back = await allReady(200, 'every readiness 200 with NATS back');
    expect(back.inventory.body.info.nats).toEqual({ status: 'up' });
  }, 120_000);

  it('liveness answered 200 all along', () => {
    expect(liveChecks).toBeGreaterThan(50);
    expect(notLive).toEqual([]);
  });
});
