/**
 * Shipment confirmation benchmark, N FBM deliveries validated through the gateway.
 *
 *   node dist/bench/shipment-confirmations.js --deliveries 1000 --scale 10 [--phase latency|limit] [--replicas 3]
 *
 * 1. Latency: Amazon's limits off, deliveries validated at a steady pace below what the
 *    pipeline carries; seconds from the validate call's answer to the sandbox holding the
 *    confirmation (p50, p95, max).
 * 2. At the limit: Amazon's limits on with the clock ×scale, every delivery validated at
 *    once; confirmations per second sustained against confirmShipment's 2/s (×scale), and 429s.
 *    `--replicas N`: N processes of amazon-notifications send them, one seller's
 *    quota between them (shared in PostgreSQL's amazon_quotas).
 */
import { waitFor } from '@connector/testing';
import { arg, BenchSystem, percentile } from './support';

const SELLER = { sellerId: 'A2BENCHSHIP001', clientId: 'ship', clientSecret: 'ship-secret', refreshToken: 'Atzr|ship', marketplaceIds: ['A1PA6795UKMFR9'] };

async function readyDeliveries(bench: BenchSystem, count: number): Promise<string[]> {
  await bench.sandboxJson('POST', '/_sandbox/sellers', SELLER);
  await bench.sandboxJson('POST', `/_sandbox/sellers/${SELLER.sellerId}/orders/generate`, { count, seed: 'ship', marketplaceIds: SELLER.marketplaceIds, fulfilledBy: 'MERCHANT', statuses: ['UNSHIPPED'] });
  await bench.benchAccount(SELLER);
  return waitFor(async () => {
    const rows = await bench.env.query<{ id: string }>(`select id from inventory.deliveries where state = 'ready' order by created_at`);
    return rows.length >= count ? rows.map((r) => r.id) : undefined;
  }, { timeoutMs: 600_000, intervalMs: 500, what: `${count} ready deliveries` });
}

async function validate(bench: BenchSystem, id: string): Promise<number> {
  await bench.json('POST', `/api/v1/deliveries/${id}/validate`, { carrierCode: 'DHL', trackingNumber: `BENCH${id.slice(0, 8)}` });
  return Date.now();
}

async function shipments(bench: BenchSystem): Promise<{ orderId: string; firstReceivedAt: string }[]> {
  return (await bench.sandboxJson<{ shipments: { orderId: string; firstReceivedAt: string }[] }>('GET', `/_sandbox/shipments?sellerId=${SELLER.sellerId}`)).shipments;
}

async function latency(count: number, perSecond: number): Promise<void> {
  const bench = await new BenchSystem().start({ SANDBOX_RATE_LIMITS: 'off', SPAPI_RATE_SCALE: '1000000' });
  try {
    const ids = await readyDeliveries(bench, count);
    const orderOf = new Map((await bench.env.query<{ id: string; amazon_order_id: string }>(`select id, amazon_order_id from inventory.deliveries`)).map((r) => [r.id, r.amazon_order_id]));
    const validatedAt = new Map<string, number>();
    const started = Date.now();
    for (let i = 0; i < ids.length; i++) {
      const due = started + (i * 1000) / perSecond;
      if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      validatedAt.set(orderOf.get(ids[i])!, await validate(bench, ids[i]));
    }
    const received = await waitFor(async () => {
      const list = await shipments(bench);
      return list.length >= count ? list : undefined;
    }, { timeoutMs: 600_000, intervalMs: 250, what: 'every confirmation' });
    const seconds = received.map((s) => (Date.parse(s.firstReceivedAt) - validatedAt.get(s.orderId)!) / 1000);
    console.log(`\nlatency, ${count} deliveries validated at ${perSecond}/s, Amazon limits off:`);
    console.log(`  validate answered → confirmation at the sandbox: p50 ${percentile(seconds, 50).toFixed(3)} s, p95 ${percentile(seconds, 95).toFixed(3)} s, max ${Math.max(...seconds).toFixed(3)} s`);
    console.log(`  peak memory (MiB): ${JSON.stringify(bench.peakMemory())}`);
  } finally {
    await bench.stop();
  }
}

async function atTheLimit(count: number, scale: number, replicas: number, poolSize: string): Promise<void> {
  const bench = await new BenchSystem().start({ SANDBOX_TIME_SCALE: String(scale), SPAPI_RATE_SCALE: String(scale), DATABASE_POOL_SIZE: poolSize });
  try {
    for (let r = 1; r < replicas; r++) await bench.system.startReplica('amazon-notifications');
    const ids = await readyDeliveries(bench, count);
    const started = Date.now();
    for (let i = 0; i < ids.length; i += 25) await Promise.all(ids.slice(i, i + 25).map((id) => validate(bench, id)));
    const validatedIn = (Date.now() - started) / 1000;
    const received = await waitFor(async () => {
      const list = await shipments(bench);
      return list.length >= count ? list : undefined;
    }, { timeoutMs: 3600_000, intervalMs: 500, what: 'every confirmation' });
    const times = received.map((s) => Date.parse(s.firstReceivedAt)).sort((a, b) => a - b);
    const calls = (await bench.sandboxJson<{ operations: Record<string, { calls: number; throttled: number }> }>('GET', `/_sandbox/calls?sellerId=${SELLER.sellerId}`)).operations.confirmShipment;
    // After the burst of 10, the bucket allows 2/s (× scale): that is the sustained limit.
    const afterBurst = times.slice(10);
    const sustained = (afterBurst.length - 1) / ((afterBurst[afterBurst.length - 1] - afterBurst[0]) / 1000);
    // Which replica sent how many (each process's own count of its calls), and how many it paced alone (the shared quotas' store not answering in time).
    const metricOf = (text: string, name: string, filter = '') =>
      [...text.matchAll(new RegExp(`^${name}\\{[^}]*${filter}[^}]*\\} (\\S+)`, 'gm'))].reduce((sum, m) => sum + Number(m[1]), 0);
    const perReplica = await Promise.all(
      bench.system.all().filter((p) => p.name === 'amazon-notifications').map(async (p) => {
        const text = await (await fetch(`${p.managementUrl}/metrics`)).text();
        return `${metricOf(text, 'connector_amazon_requests_total', 'operation="confirmShipment"')} (${metricOf(text, 'connector_amazon_quota_local_takes_total')} paced alone)`;
      }),
    );
    console.log(`\nat the limit, ${count} deliveries validated at once (in ${validatedIn.toFixed(1)} s), Amazon clock ×${scale}, ${replicas} replica(s) of amazon-notifications (confirmShipment calls each: ${perReplica.join(', ')}):`);
    console.log(`  sustained ${sustained.toFixed(2)} confirmations/s against a limit of ${(2 * scale).toFixed(2)}/s (${((sustained / (2 * scale)) * 100).toFixed(1)} %); calls ${calls.calls}, 429s ${calls.throttled}`);
  } finally {
    await bench.stop();
  }
}

async function main(): Promise<void> {
  const count = Number(arg('deliveries', '1000'));
  const phase = arg('phase', 'all');
  if (phase !== 'limit') await latency(count, Number(arg('pace', '20')));
  // `--pool-size`: each process's connections (a PostgreSQL shared with other work may allow few).
  if (phase !== 'latency') await atTheLimit(count, Number(arg('scale', '10')), Number(arg('replicas', '1')), arg('pool-size', '10'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
