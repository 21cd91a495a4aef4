// The containers' healthcheck, exit 0 when healthy:
//   node docker/healthcheck.js http <url>     the URL answers 2xx within 3 s: each service's
//                                             liveness on its management port (/health/live), the
//                                             gateway's on its own, the sandbox's clock
// (The image is node's slim one, without wget or curl.)
const [mode, target] = process.argv.slice(2);

async function healthy() {
  if (mode === 'http') return (await fetch(target, { signal: AbortSignal.timeout(3000) })).ok;
  throw new Error('usage: healthcheck.js http <url>');
}

healthy().then(
  (up) => process.exit(up ? 0 : 1),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
