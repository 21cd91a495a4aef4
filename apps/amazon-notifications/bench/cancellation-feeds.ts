/**
 * How many cancellations go in one POST_ORDER_ACKNOWLEDGEMENT_DATA feed, and how many feeds
 * N cancellations need, with the real cancellation sender (claiming, batch window, token
 * buckets, polling, report parsing) against PostgreSQL and the sandbox (its own process) whose clock
 * and rate limits run `scale` times faster (the client's rate scale is the same, so every
 * Amazon limit holds in sandbox time).
 *
 *   npm run build && node dist/apps/amazon-notifications/bench/cancellation-feeds.js [N=1000] [spreadMinutes=60] [scale=60]
 *
 * Two runs: N cancellations due at once, and N arriving evenly over `spreadMinutes` of
 * production time, with the production settings (30 s batch window, createFeed 0.0083/s burst 15).
 * Needs PostgreSQL (DATABASE_ADMIN_URL, default postgres://postgres@127.0.0.1:5432/postgres).
 */
import { NotificationsHarness } from '../test/notifications-harness';
import { AmazonNotificationsSettings } from '../src/amazon-notifications.settings';

interface RunResult {
  label: string;
  cancellations: number;
  feeds: number[];
  sent: number;
  failed: number;
  realSeconds: number;
  latencySeconds: { median: number; max: number };
  createFeedCalls: number;
  throttled: number;
}

const production = new AmazonNotificationsSettings();

async function run(label: string, n: number, spreadMinutes: number, scale: number): Promise<RunResult> {
  const harness = new NotificationsHarness({
    timeScale: scale,
    rateLimits: true,
    settings: {
      CANCEL_BATCH_WINDOW_MS: Math.round(production.CANCEL_BATCH_WINDOW_MS / scale),
      FEED_POLL_MS: Math.max(50, Math.round(production.FEED_POLL_MS / scale)),
      NOTIFY_POLL_MS: 50,
    },
  });
  await harness.start();
  try {
    const orders = await harness.generateOrders(n, `bench-${label}`);
    const sender = harness.newSender();
    sender.onApplicationBootstrap();
    const started = Date.now();
    const spreadMs = (spreadMinutes * 60_000) / scale;
    let added = 0;
    while (added < n) {
      const due = spreadMs === 0 ? n : Math.min(n, Math.floor(((Date.now() - started) / spreadMs) * n) + 1);
      if (due > added) {
        await harness.addCancellations(orders.slice(added, due));
        added = due;
      }
      if (added < n) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    for (;;) {
      const [{ pending }] = await harness.dataSource.query(`select count(*)::int as pending from notifications where state = 'pending'`);
      if (pending === 0) break;
      if (Date.now() - started > spreadMs + 600_000) throw new Error(`${pending} cancellations still pending after 10 minutes`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const realSeconds = (Date.now() - started) / 1000;
    await sender.onApplicationShutdown();

    const rows: { state: string; latency: number }[] = await harness.dataSource.query(
      `select state, extract(epoch from (coalesce(sent_at, now()) - created_at))::float8 as latency from notifications`,
    );
    const latencies = rows.map((r) => r.latency * scale).sort((a, b) => a - b);
    const feeds = (await harness.feeds()).filter((f) => f.feedType === 'POST_ORDER_ACKNOWLEDGEMENT_DATA').map((f) => f.messages.length);
    const calls = (await harness.sandboxRequest('GET', `/_sandbox/calls?sellerId=${harness.seller.sellerId}`)).body.operations;
    return {
      label,
      cancellations: n,
      feeds,
      sent: rows.filter((r) => r.state === 'sent').length,
      failed: rows.filter((r) => r.state === 'failed').length,
      realSeconds,
      latencySeconds: { median: latencies[Math.floor(latencies.length / 2)] ?? 0, max: latencies[latencies.length - 1] ?? 0 },
      createFeedCalls: calls.createFeed?.calls ?? 0,
      throttled: Object.values(calls as Record<string, { throttled: number }>).reduce((sum, op) => sum + op.throttled, 0),
    };
  } finally {
    await harness.stop();
  }
}

function report(result: RunResult, spreadMinutes: number): void {
  const { feeds } = result;
  const per = feeds.length ? { min: Math.min(...feeds), max: Math.max(...feeds), mean: feeds.reduce((a, b) => a + b, 0) / feeds.length } : { min: 0, max: 0, mean: 0 };
  console.log(`\n${result.label}: ${result.cancellations} cancellations${spreadMinutes ? ` arriving evenly over ${spreadMinutes} min` : ' due at once'}`);
  console.log(`  feeds needed            ${feeds.length}  (createFeed calls ${result.createFeedCalls}, throttled calls ${result.throttled})`);
  console.log(`  cancellations per feed  mean ${per.mean.toFixed(1)}, min ${per.min}, max ${per.max}`);
  console.log(`  per feed, in order      ${feeds.join(' ')}`);
  console.log(`  outcome                 ${result.sent} sent, ${result.failed} failed`);
  console.log(`  latency to 'sent'       median ${result.latencySeconds.median.toFixed(0)} s, max ${result.latencySeconds.max.toFixed(0)} s (production time)`);
  console.log(`  wall clock              ${result.realSeconds.toFixed(1)} s`);
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 1000);
  const spreadMinutes = Number(process.argv[3] ?? 60);
  const scale = Number(process.argv[4] ?? 60);
  if (!(n > 0 && Number.isInteger(n)) || !(spreadMinutes >= 0) || !(scale > 0)) throw new Error('usage: cancellation-feeds.js [N] [spreadMinutes] [scale]');
  console.log(`cancellation feeds: N=${n}, sandbox and client ${scale}x faster; batch window ${production.CANCEL_BATCH_WINDOW_MS / 1000} s, at most ${production.CANCEL_FEED_MAX_MESSAGES} orders per feed, createFeed 0.0083/s burst 15`);
  report(await run('at-once', n, 0, scale), 0);
  if (spreadMinutes > 0) report(await run('spread', n, spreadMinutes, scale), spreadMinutes);
  console.log(`\nWithout batching, ${n} cancellations would need ${n} feeds: ${n <= 15 ? 'within the burst' : `${Math.ceil((n - 15) / 0.0083 / 3600)} h of createFeed quota after the burst of 15`}.`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
