// Loaded on its own by docker/healthcheck.js: the contracts' decorators need the metadata API first.
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { connect } from 'nats';
import { HEALTH_CHECKS, natsInboxPrefix, ServiceHealth, ServiceName } from '@connector/contracts';
import { loadSettings, ServiceSettings } from './config';
import { natsConnectionOptions } from './nats-connection';

/**
 * Asks a service for its health as the gateway's /health does (`<service>.health.v1` over NATS,
 * answered after a PostgreSQL query), with the service's own settings, NATS user and inbox: the
 * container healthcheck of the services that have no HTTP port (docker/healthcheck.js).
 */
export async function probeServiceHealth(service: ServiceName, env: NodeJS.ProcessEnv = process.env, timeoutMs = 3000): Promise<ServiceHealth> {
  // docker/healthcheck.js passes its argument unchecked.
  const { subject } = HEALTH_CHECKS[service] ?? {};
  if (!subject) throw new Error(`no such service: ${service}`);
  const settings = loadSettings(ServiceSettings, env);
  const nc = await connect({ ...natsConnectionOptions(settings), inboxPrefix: natsInboxPrefix(service), name: `${service} healthcheck`, timeout: timeoutMs, reconnect: false });
  try {
    // The packet NestJS's NATS transport expects; the answer comes as `{ id, response }` or `{ id, err }`.
    const packet = { pattern: subject, id: randomUUID(), data: {} };
    const answer = await nc.request(`${settings.NATS_NAMESPACE}.${subject}`, new TextEncoder().encode(JSON.stringify(packet)), { timeout: timeoutMs }).catch((err: Error) => {
      // NATS says 503 when nobody listens, TIMEOUT when nobody answers in time.
      throw new Error(`no health answer from ${service} in namespace "${settings.NATS_NAMESPACE}" (${err.message})`);
    });
    const reply = JSON.parse(new TextDecoder().decode(answer.data)) as { response?: ServiceHealth; err?: unknown };
    if (!reply.response) throw new Error(`${service} answered its health request with an error: ${JSON.stringify(reply.err)}`);
    return reply.response;
  } finally {
    await nc.close();
  }
}
