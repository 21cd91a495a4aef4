/**
 * Order sync benchmark: a backlog of N orders on the sandbox, one account, one sync run.
 *
 *   node dist/bench/order-sync.js --orders 10000 --api v2026-01-01 --limits on --scale 600
 *   node dist/bench/order-sync.js --orders 10000 --api v0 --limits on --scale 600
 *   node dist/bench/order-sync.js --orders 10000 --api v2026-01-01 --limits off
 *
 * Prints Amazon calls per synced order by operation; with limits on, the drain time against
 * the token-bucket minimum for the calls made (Amazon's rates × scale) and the 429 count;
 * with limits off, orders per second from the sandbox to committed sales orders, partners
 * and products; and the peak resident memory (VmHWM) of every process.
 */
import { waitFor } from '@connector/testing';
import { OPERATION_LIMITS } from '@connector/sp-api';
import { CpuUsage, printCpuUsage } from './cpu-usage';
import { arg, BenchSystem } from './support';

const SANDBOX_TO_CLIENT: Record<string, keyof typeof OPERATION_LIMITS> = {
  searchOrders: 'searchOrders',
  getOrders: 'getOrders',
  getOrderItems: 'getOrderItems',
  createRestrictedDataToken: 'createRestrictedDataToken',
  getOrder2026: 'getOrder',
};

async function main(): Promise<void> {
  const orders = Number(arg('orders', '10000'));
  const api = arg('api', 'v2026-01-01');
  const limits = arg('limits', 'on') === 'on';
  const scale = Number(arg('scale', limits ? '600' : '1'));
  const bench = await new BenchSystem().start({
    SANDBOX_TIME_SCALE: String(scale),
    SANDBOX_RATE_LIMITS: limits ? 'on' : 'off',
    // Limits off: the client's pacing would be the only brake; lift it as well.
    SPAPI_RATE_SCALE: String(limits ? scale : 1e6),
    // `--log-level log` measures what an operator's default logging costs (tests run at warn).
    LOG_LEVEL: arg('log-level', 'warn'),
  });
  try {
    const seller = { sellerId: 'A2BENCHSELLER1', clientId: 'bench', clientSecret: 'bench-secret', refreshToken: 'Atzr|bench', marketplaceIds: ['A1PA6795UKMFR9', 'A13V1IB3VIYZZH', 'A1F83G8C2ARO7P'] };
    await bench.sandboxJson('POST', '/_sandbox/sellers', seller);
    for (let made = 0; made < orders; made += 5000) {
      await bench.sandboxJson('POST', `/_sandbox/sellers/${seller.sellerId}/orders/generate`, { count: Math.min(5000, orders - made), seed: `bench-${made}`, marketplaceIds: seller.marketplaceIds, orderIdPrefix: String(1 + made / 5000) });
    }
    const sandboxHolding = bench.peakMemory()['amazon-sandbox'];
    const cpu = new CpuUsage(() => new Map([...bench.system.processes].map(([name, proc]) => [name, proc.pid])));
    cpu.begin();
    const startedAt = Date.now();
    const account = await bench.benchAccount(seller, { ordersApi: api });
    const run = await waitFor(async () => {
      const runs = (await bench.json<{ items: any[] }>('GET', `/api/v1/accounts/${account.id}/sync-runs`)).items;
      return runs[0] && !['queued', 'running'].includes(runs[0].status) ? runs[0] : undefined;
    }, { timeoutMs: 3 * 3600_000, intervalMs: 500, what: 'the sync run' });
    const syncSeconds = (Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000;
    const synced = run.ordersCreated + run.ordersUpdated + run.ordersUnchanged;
    const calls = (await bench.sandboxJson<{ operations: Record<string, { calls: number; throttled: number; errors: number }> }>('GET', `/_sandbox/calls?sellerId=${seller.sellerId}`)).operations;
    const throttled = Object.values(calls).reduce((n, c) => n + c.throttled, 0);

    const downstreamFrom = Date.now();
    const expected = await bench.env.query<{ fbm: number; fba_lines: number }>(
      `select count(*) filter (where channel = 'FBM' and status in ('confirmed', 'partially_shipped'))::int as fbm,
              (select count(*)::int from ingestion.sales_order_lines l join ingestion.sales_orders o on o.id = l.order_id where o.channel = 'FBA' and o.status = 'shipped' and l.kind = 'product') as fba_lines
         from ingestion.sales_orders`,
    );
    await waitFor(async () => {
      const [row] = await bench.env.query<{ deliveries: number; moves: number }>(`select (select count(*)::int from inventory.deliveries) as deliveries, (select count(*)::int from inventory.stock_moves where reason = 'fba_sale') as moves`);
      return row.deliveries >= expected[0].fbm && row.moves >= expected[0].fba_lines ? true : undefined;
    }, { timeoutMs: 600_000, intervalMs: 250, what: 'inventory to catch up' });
    const downstreamLag = (Date.now() - downstreamFrom) / 1000;
    const cpuSeconds = cpu.end();

    console.log(`\nOrder sync benchmark: ${orders} orders at the sandbox, Orders API ${api}, Amazon limits ${limits ? `on (clock x${scale})` : 'off'}`);
    console.log(`run ${run.status}: ${run.ordersSeen} seen, ${synced} synced (${run.ordersCreated} created), ${run.ordersQuarantined} quarantined, errors ${JSON.stringify(run.errors)}`);
    console.log(`sync wall time ${syncSeconds.toFixed(1)} s (account creation to run end ${((Date.parse(run.finishedAt) - startedAt) / 1000).toFixed(1)} s)`);
    console.log('\ncalls to Amazon        calls   per synced order   throttled (429)');
    for (const [operation, c] of Object.entries(calls)) {
      if (c.calls === 0) continue;
      console.log(`${operation.padEnd(24)}${String(c.calls).padStart(6)}   ${(c.calls / synced).toFixed(4).padStart(16)}   ${String(c.throttled).padStart(15)}`);
    }
    if (limits) {
      // The least time Amazon's buckets allow for these calls: the burst is free, the rest
      // comes at the restore rate; operations refill in parallel, so the slowest one bounds it.
      let minimum = 0;
      for (const [operation, c] of Object.entries(calls)) {
        const limit = OPERATION_LIMITS[SANDBOX_TO_CLIENT[operation]];
        if (!limit) continue;
        minimum = Math.max(minimum, Math.max(0, c.calls - limit.burst) / (limit.rate * scale));
      }
      console.log(`\ntoken-bucket minimum ${minimum.toFixed(1)} s; drain took ${syncSeconds.toFixed(1)} s = ${((syncSeconds / minimum - 1) * 100).toFixed(1)} % above it; 429s: ${throttled}`);
    } else {
      console.log(`\nthroughput: ${(synced / syncSeconds).toFixed(0)} orders/s into committed sales orders, partners and products`);
    }
    console.log(`inventory caught up ${downstreamLag.toFixed(1)} s after the run ended (FBA moves and FBM deliveries)`);
    const tables = await bench.env.query<{ name: string; inserted: number; updated: number; deleted: number }>(
      `select schemaname || '.' || relname as name, n_tup_ins::int as inserted, n_tup_upd::int as updated, n_tup_del::int as deleted
         from pg_stat_user_tables where n_tup_ins + n_tup_upd + n_tup_del > 0 order by n_tup_ins + n_tup_upd + n_tup_del desc`,
    );
    const [{ commits }] = await bench.env.query<{ commits: number }>(`select xact_commit::int as commits from pg_stat_database where datname = current_database()`);
    console.log(`\nPostgreSQL: ${commits} transactions (${(commits / synced).toFixed(2)} per order); rows per synced order written to`);
    for (const t of tables) console.log(`  ${t.name.padEnd(40)} ins ${(t.inserted / synced).toFixed(2)}  upd ${(t.updated / synced).toFixed(2)}  del ${(t.deleted / synced).toFixed(2)}`);
    const scans = await bench.env.query<{ name: string; seq: number; seqRows: number; idx: number }>(
      `select schemaname || '.' || relname as name, seq_scan::float8 as seq, seq_tup_read::float8 as "seqRows", coalesce(idx_scan, 0)::float8 as idx
         from pg_stat_user_tables where seq_scan > 0 order by seq_tup_read desc limit 12`,
    );
    console.log(`\nsequential scans (rows read) and index scans per table`);
    for (const t of scans) console.log(`  ${t.name.padEnd(40)} seq ${String(t.seq).padStart(6)} (${t.seqRows} rows)  idx ${t.idx}`);
    printCpuUsage('CPU from account creation until inventory caught up', cpuSeconds, synced, 'order');
    console.log(`\npeak RSS (VmHWM) by process, MiB, since it started`);
    for (const [name, mib] of Object.entries(bench.peakMemory())) {
      console.log(`  ${name.padEnd(22)}${String(mib).padStart(6)}${name === 'amazon-sandbox' ? `   (${sandboxHolding} once it held the ${orders} orders, before the sync)` : ''}`);
    }
  } finally {
    await bench.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
