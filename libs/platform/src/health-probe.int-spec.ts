import { HEALTH_CHECKS, ServiceHealth } from '@connector/contracts';
import { NATS_URL } from '@connector/test-environment';
import { probeServiceHealth } from './health-probe';
import { NamespacedNatsServer } from './namespaced-nats';

describe('probeServiceHealth (container healthcheck)', () => {
  const namespace = `hp${Date.now().toString(36)}`;
  let server: NamespacedNatsServer;
  let health: ServiceHealth = { service: 'inventory', status: 'up', postgres: 'up', nats: 'up' };

  beforeAll(async () => {
    server = new NamespacedNatsServer(namespace, { servers: NATS_URL, queue: 'inventory' });
    server.addHandler(HEALTH_CHECKS.inventory.subject, async () => health);
    await new Promise<void>((resolve, reject) => {
      server.listen((err?: unknown) => (err ? reject(err) : resolve())).catch(reject);
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  const env = { NATS_URL, NATS_NAMESPACE: namespace };

  it("gets the service's answer from the service's own inbox, in its namespace", async () => {
    await expect(probeServiceHealth('inventory', env)).resolves.toEqual({ service: 'inventory', status: 'up', postgres: 'up', nats: 'up' });
    health = { service: 'inventory', status: 'down', postgres: 'down', nats: 'up' };
    await expect(probeServiceHealth('inventory', env)).resolves.toMatchObject({ status: 'down', postgres: 'down' });
  });

  it('fails when nothing answers (the service is gone, or another namespace)', async () => {
    await expect(probeServiceHealth('partner-resolution', env, 500)).rejects.toThrow();
    await expect(probeServiceHealth('inventory', { ...env, NATS_NAMESPACE: `${namespace}x` }, 500)).rejects.toThrow();
  });
});
