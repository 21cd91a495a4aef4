import { resolve } from 'node:path';
import { DEMO_QUEUE, DEMO_SELLER, DEMO_STOCK, demoNotificationsEnv, seedDemo, seedDemoStock, seedSandbox } from './demo';
import { SERVICE_NAMES } from '@connector/contracts';
import { allowSandboxEndpoint, linkWithSandboxEnv, PROCESSES, System, waitFor } from '@connector/local-system';

const DEMO_ORDERS = 40;

/**
 * `npm start`: every service and the sandbox as separate processes with prefixed logs,
 * against the local PostgreSQL and NATS, plus a demo account on the sandbox. Ctrl-C stops all.
 */
async function main(): Promise<void> {
  if (process.env.NODE_ENV === 'production') {
    process.stderr.write('npm start: refusing to run in production (NODE_ENV=production): it starts the sandbox and seeds a demo account; start each service on its own (see "Running in production" in the README)\n');
    process.exit(1);
  }
  const rootDir = resolve(__dirname, '../../../..');
  const gatewayPort = Number(process.env.GATEWAY_PORT ?? 3000);
  const sandboxPort = Number(process.env.SANDBOX_PORT ?? 4500);
  const apiKey = (process.env.GATEWAY_API_KEYS ?? 'demo-key').split(',')[0];
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
  const env = allowSandboxEndpoint(
    {
      // Lines for people in a terminal; LOG_FORMAT=json npm start for the services' JSON lines.
      LOG_FORMAT: 'pretty',
      // Webhooks of the demo may be receivers on this machine (loopback is refused otherwise).
      ALERT_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      // Link with Amazon through the sandbox's consent page, back to this gateway.
      ...linkWithSandboxEnv(`http://127.0.0.1:${gatewayPort}`, sandboxUrl),
      // Order changes within seconds: ORDER_CHANGE notifications through the sandbox's SQS queue.
      ...demoNotificationsEnv(sandboxUrl),
      ...process.env,
      GATEWAY_PORT: String(gatewayPort),
      GATEWAY_API_KEYS: process.env.GATEWAY_API_KEYS ?? apiKey,
      SANDBOX_PORT: String(sandboxPort),
    },
    sandboxUrl,
  );
  const startedAt = Date.now();
  const system = new System({ rootDir, env, fixedManagementPorts: true });
  let stopping = false;
  const stop = async (code: number, fromTerminal = false) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nstopping every service...\n');
    // Ctrl-C reached the services too: a moment for them to say so, so they get no second signal.
    if (fromTerminal) await new Promise((resolve) => setTimeout(resolve, 300));
    await system.stop().catch((err: Error) => process.stderr.write(`${err.message}\n`));
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0, true));
  process.on('SIGTERM', () => void stop(0));

  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  try {
    // The demo seller exists at the sandbox before any service can try to sync it.
    await system.start(['amazon-sandbox']);
    await seedSandbox(sandboxUrl, DEMO_ORDERS);
    await system.start(PROCESSES.map((p) => p.name).filter((name) => name !== 'amazon-sandbox'));
  } catch (err) {
    process.stderr.write(`\n${err.message}\n`);
    await stop(1);
    return;
  }
  await waitFor(async () => (await fetch(`${gatewayUrl}/health`)).ok, { timeoutMs: 60_000, what: 'gateway /health (every service ready)' });
  const demo = await seedDemo({ sandboxUrl, gatewayUrl, apiKey, orders: DEMO_ORDERS });
  const visible = await waitFor(
    async () => {
      const response = await fetch(`${gatewayUrl}/api/v1/orders?accountId=${demo.accountId}&limit=1`, { headers: { authorization: `Bearer ${apiKey}` } });
      const page = (await response.json()) as { items: unknown[] };
      return page.items.length > 0 ? Date.now() : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 250, what: 'the first synced orders' },
  ).catch(() => undefined);
  // A new demo account's FBM products get stock, which stock sync tells Amazon (the sandbox's listings).
  const stocked = demo.created && visible ? await seedDemoStock({ gatewayUrl, apiKey, accountId: demo.accountId }).catch(() => 0) : 0;
  const notifications = env.ORDER_NOTIFICATIONS_QUEUE_URL ? `on (sandbox queue ${DEMO_QUEUE})` : 'off (ORDER_NOTIFICATIONS_QUEUE_URL empty)';
  const line = '─'.repeat(72);
  process.stdout.write(
    [
      '',
      line,
      ' Amazon order connector is running',
      `   Console:    ${gatewayUrl}/ (open it in a browser; sign in with the API key below)`,
      `   API:        ${gatewayUrl}/api/v1`,
      `   API docs:   ${gatewayUrl}/docs`,
      `   API key:    ${apiKey}`,
      `   Health:     ${gatewayUrl}/health (the whole system), ${gatewayUrl}/health/ready (load balancers), each service's own:`,
      ...SERVICE_NAMES.map((name) => `     ${name.padEnd(22)}${system.managementUrl(name)}/health/ready  /metrics`),
      `   Sandbox:    ${sandboxUrl} (Amazon stand-in; demo account ${demo.created ? 'created' : 'reused'}: ${demo.accountId})`,
      visible ? `   Orders visible ${((visible - startedAt) / 1000).toFixed(1)} s after start` : '   Orders are still syncing',
      `   Order changes within seconds: notifications ${notifications}; change one at the sandbox with POST ${sandboxUrl}/_sandbox/orders/<amazonOrderId>/status {"status":"CANCELLED"}`,
      `   Stock to Amazon: on${stocked ? ` (${stocked} products counted at ${DEMO_STOCK})` : ''}; what Amazon was told: ${sandboxUrl}/_sandbox/listings?sellerId=${DEMO_SELLER.sellerId}`,
      '',
      `   curl -H 'Authorization: Bearer ${apiKey}' '${gatewayUrl}/api/v1/orders?limit=5'`,
      `   CONNECTOR_URL=${gatewayUrl} CONNECTOR_API_KEY=${apiKey} npx amazon-connector orders find --limit 5`,
      '',
      ' Ctrl-C stops every service.',
      line,
      '',
    ].join('\n'),
  );
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
