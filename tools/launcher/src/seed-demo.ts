import { seedDemo, seedDemoStock } from './demo';
import { waitFor } from '@connector/local-system';

/**
 * Creates the demo seller on the sandbox and its account in the connector, for a system
 * started some other way than `npm start` (docker compose runs this once).
 */
async function main(): Promise<void> {
  if (process.env.NODE_ENV === 'production') {
    process.stderr.write('seed-demo: refusing to seed a demo account in production (NODE_ENV=production)\n');
    process.exit(1);
  }
  const gatewayUrl = process.env.GATEWAY_URL ?? 'http://127.0.0.1:3000';
  const sandboxUrl = process.env.SANDBOX_URL ?? 'http://127.0.0.1:4500';
  /** The sandbox's address as the services reach it (inside compose: http://amazon-sandbox:4500). */
  const sandboxUrlForServices = process.env.SANDBOX_URL_FOR_SERVICES ?? sandboxUrl;
  const apiKey = (process.env.GATEWAY_API_KEYS ?? 'demo-key').split(',')[0];
  // The gateway is live once its container is healthy; the services must be ready too.
  await waitFor(async () => (await fetch(`${gatewayUrl}/health`)).ok, { timeoutMs: 120_000, intervalMs: 1000, what: 'gateway /health (every service ready)' });
  const demo = await seedDemo({ sandboxUrl, sandboxUrlForServices, gatewayUrl, apiKey, orders: Number(process.env.DEMO_ORDERS ?? 40) });
  // Stock sync is on for the demo account: its FBM products get stock once their orders have synced.
  const stocked = demo.created ? await seedDemoStock({ gatewayUrl, apiKey, accountId: demo.accountId, timeoutMs: 120_000 }) : 0;
  process.stdout.write(`demo account ${demo.accountId} ${demo.created ? `created (${stocked} products counted)` : 'already there'}; API key ${apiKey}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
});
