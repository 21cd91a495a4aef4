// The containers' healthcheck, exit 0 when healthy:
//   node docker/healthcheck.js http <url>     the URL answers 2xx within 3 s (the gateway's /health,
//                                             which asks every service; the sandbox's clock)
//   node docker/healthcheck.js nats <service> the service answers its health request over NATS,
//                                             up (PostgreSQL answers too), asked with its own settings
const [mode, target] = process.argv.slice(2);

async function healthy() {
  if (mode === 'http') return (await fetch(target, { signal: AbortSignal.timeout(3000) })).ok;
  if (mode === 'nats') {
    const { probeServiceHealth } = require('../dist/libs/platform/src/health-probe.js');
    const health = await probeServiceHealth(target);
    if (health.status !== 'up') console.error(`${target}: ${JSON.stringify(health)}`);
    return health.status === 'up';
  }
  throw new Error('usage: healthcheck.js http <url> | nats <service>');
}

healthy().then(
  (up) => process.exit(up ? 0 : 1),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
