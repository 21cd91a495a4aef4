/**
 * Many sellers benchmark: N seller accounts with a few orders each, synced on their interval.
 *
 *   node dist/bench/many-sellers.js --accounts 100,1000 --replicas 1 --interval-seconds 60 --duration-seconds 300
 *
 * Amazon's limits on, the sandbox's quota clock ×scale (the connector paced to match; `--scale`,
 * default 10). Per N, on a fresh system: the sandbox gets N sellers with `--orders` FBM orders each,
 * the connector N accounts polling every `--interval-seconds`, with `--replicas` processes of
 * order-ingestion, inventory and amazon-notifications; once every account has synced once, for
 * `--duration-seconds` (after `--settle-seconds`, 0 unless told) a trickle of new and shipped orders (`--changes-per-account-hour`, at random
 * sellers) runs while the benchmark samples every account's cursor. Printed per N:
 *
 * - sync lag (now minus the account's cursor, every 2 s, over all accounts): p50, p95, max. Amazon
 *   shows no change younger than 2 minutes, so the least it can be is 120 s, and up to an interval more;
 * - accounts that missed their interval: lag above interval + 120 s + 30 s at some sample;
 * - start delay: how long after an account fell due its run started (p50, p95, max);
 * - Amazon calls and 429s per seller (per operation, per account-hour);
 * - CPU per account-hour and per sync run, by process (bench/cpu-usage.ts);
 * - database rows and bytes per account, by schema;
 * - peak resident memory (VmHWM) of every process, replicas included;
 * - where order-ingestion's run time went: the run, Amazon's answer and pacing by operation, the
 *   quota store, queries waiting for a pooled connection (its first process' histograms).
 *
 * The machine's cores are shared with whatever else runs: say so next to the figures.
 */
import { readFileSync } from 'node:fs';
import { IMPORT_ACCOUNTS_MAX } from '@connector/contracts';
import { waitFor } from '@connector/testing';
import { scrapeMetrics, ScrapedMetrics } from '@connector/test-environment';
import { CpuUsage, printCpuUsage } from './cpu-usage';
import { arg, BenchSystem, percentile } from './support';

const MARKETPLACE = 'A1PA6795UKMFR9';
/** Amazon's searchOrders shows no change made in the last two minutes (the cursor stays that far behind). */
const VISIBILITY_DELAY_SECONDS = 120;
/** Beyond interval + visibility delay, the slack an account may take before it counts as having missed its interval. */
const MISSED_GRACE_SECONDS = 30;
const SCALED_SERVICES = ['order-ingestion', 'inventory', 'amazon-notifications'] as const;
/** order-ingestion's SYNC_RUNS_KEEP_PER_ACCOUNT and SYNC_RUNS_KEEP_DAYS defaults. */
const SYNC_RUNS_KEPT = { perAccount: 100, days: 1 };

interface Options {
  accounts: number;
  replicas: number;
  intervalSeconds: number;
  durationSeconds: number;
  orders: number;
  changesPerAccountHour: number;
  scale: number;
  tickSeconds: string;
  settleSeconds: number;
}

interface Figures {
  accounts: number;
  replicas: number;
  firstSyncSeconds: number;
  lag: { p50: number; p95: number; max: number };
  missed: number;
  startDelay: { p50: number; p95: number; max: number };
  runs: number;
  runsPerSecond: number;
  callsPerAccountHour: number;
  throttled: number;
  cpuMsPerAccountHour: number;
  cpuMsPerRun: number;
  rowsPerAccount: number;
  bytesPerAccount: number;
  peakMiB: Record<string, number>;
}

/** Runs `work` over `items`, `concurrency` at a time. */
async function eachLimited<T>(items: T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index], index);
      }
    }),
  );
}

function vmHwmMiB(pid: number | undefined): number {
  try {
    return Math.round(Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);
  } catch {
    return 0;
  }
}

/** Every process of the system by name, replicas apart (for CpuUsage). */
function processesOf(bench: BenchSystem): () => Map<string, number | undefined> {
  return () => {
    const named = new Map<string, number | undefined>([...bench.system.processes].map(([name, p]) => [name, p.pid]));
    const seen = new Map<string, number>();
    for (const p of bench.system.replicas) {
      seen.set(p.name, (seen.get(p.name) ?? 1) + 1);
      named.set(`${p.name} #${seen.get(p.name)}`, p.pid);
    }
    return named;
  };
}

function spread(values: number[]): { p50: number; p95: number; max: number } {
  if (values.length === 0) return { p50: NaN, p95: NaN, max: NaN };
  return { p50: percentile(values, 50), p95: percentile(values, 95), max: values.reduce((a, b) => Math.max(a, b), -Infinity) };
}

/**
 * Where order-ingestion's runs spent their time in the window, as means of its histograms: the run,
 * Amazon's answers and the pacing before each call by operation, the shared quota store, and the
 * queries waiting for a pooled PostgreSQL connection (sampled every 10 s).
 */
function printRunTime(before: ScrapedMetrics, after: ScrapedMetrics, poolWaiting: number[]): void {
  const mean = (name: string, labels: Record<string, string> = {}) => {
    const count = after.histogramCount(name, labels) - before.histogramCount(name, labels);
    return { count, ms: count > 0 ? ((after.histogramSum(name, labels) - before.histogramSum(name, labels)) * 1000) / count : NaN };
  };
  const line = (what: string, m: { count: number; ms: number }) => console.log(`    ${what.padEnd(48)}${String(m.count).padStart(8)}${m.ms.toFixed(1).padStart(12)}`);
  console.log(`  where order-ingestion's time went (first process)        count     mean ms`);
  line('sync run (start to end)', mean('connector_sync_run_duration_seconds'));
  const operations = new Set(after.samples('connector_amazon_request_duration_seconds_count').map((s) => s.labels.operation));
  for (const operation of [...operations].sort()) {
    line(`Amazon ${operation}: answer`, mean('connector_amazon_request_duration_seconds', { operation }));
    line(`Amazon ${operation}: paced before the call`, mean('connector_amazon_rate_limit_wait_seconds', { operation }));
  }
  line('quota store take', mean('connector_amazon_quota_store_duration_seconds', { statement: 'take' }));
  const waiting = spread(poolWaiting);
  console.log(`    queries waiting for a pooled connection: p50 ${waiting.p50}, p95 ${waiting.p95}, max ${waiting.max} (${poolWaiting.length} samples)`);
}

async function runFor(o: Options): Promise<Figures> {
  const bench = new BenchSystem();
  await bench.start({
    SANDBOX_TIME_SCALE: String(o.scale),
    SPAPI_RATE_SCALE: String(o.scale),
    SANDBOX_RATE_LIMITS: 'on',
    // The tests tick every 0.5 s; a benchmark of scheduling measures the service's default (2 s) unless told.
    SYNC_TICK_SECONDS: o.tickSeconds,
    // Likewise amazon-notifications' polling (the tests poll every 200 ms): its default, 1 s.
    NOTIFY_POLL_MS: '1000',
  });
  try {
    for (let r = 1; r < o.replicas; r++) for (const name of SCALED_SERVICES) await bench.system.startReplica(name);
    const sellers = Array.from({ length: o.accounts }, (_, i) => ({
      sellerId: `A2MANY${String(i).padStart(6, '0')}`,
      clientId: `many-${i}`,
      clientSecret: `many-secret-${i}`,
      refreshToken: `Atzr|many-${i}`,
      marketplaceIds: [MARKETPLACE],
    }));
    // Each seller's unshipped orders: what the trickle ships.
    const unshipped = new Map<string, string[]>();
    const setUpFrom = Date.now();
    await eachLimited(sellers, 16, async (seller) => {
      await bench.sandboxJson('POST', '/_sandbox/sellers', seller);
      const { orderIds } = await bench.sandboxJson<{ orderIds: string[] }>('POST', `/_sandbox/sellers/${seller.sellerId}/orders/generate`, {
        count: o.orders,
        seed: seller.sellerId,
        marketplaceIds: seller.marketplaceIds,
        fulfilledBy: 'MERCHANT',
        statuses: ['UNSHIPPED'],
      });
      unshipped.set(seller.sellerId, orderIds);
    });
    const sandboxSeconds = (Date.now() - setUpFrom) / 1000;
    const setUpCpu = new CpuUsage(processesOf(bench));
    setUpCpu.begin();
    const createFrom = Date.now();
    // By import, IMPORT_ACCOUNTS_MAX at a time, as an operator moving many sellers would (one at a time took 22 minutes for 10,000).
    for (let i = 0; i < sellers.length; i += IMPORT_ACCOUNTS_MAX) {
      await bench.benchImport(sellers.slice(i, i + IMPORT_ACCOUNTS_MAX), { syncIntervalSeconds: o.intervalSeconds });
    }
    const createSeconds = (Date.now() - createFrom) / 1000;
    await waitFor(async () => {
      const [{ waiting }] = await bench.env.query<{ waiting: number }>(`select count(*)::int as waiting from ingestion.seller_accounts where deleted_at is null and last_synced_until is null`);
      return waiting === 0 || undefined;
    }, { timeoutMs: 3600_000, intervalMs: 1000, what: 'every account synced once' });
    const firstSyncSeconds = (Date.now() - createFrom) / 1000;
    console.log(`\n[N=${o.accounts}] sandbox sellers and orders ${sandboxSeconds.toFixed(0)} s; ${o.accounts} accounts created in ${createSeconds.toFixed(1)} s (${(o.accounts / createSeconds).toFixed(0)} per second, by import); every account synced once ${firstSyncSeconds.toFixed(0)} s after the first was created`);
    printCpuUsage('CPU from the first account created until every account had synced once', setUpCpu.end(), o.accounts, 'account');
    // First syncs that take longer than the interval leave most accounts overdue at once: the window
    // would measure that backlog, not the steady state. `--settle-seconds` lets it clear first.
    if (o.settleSeconds > 0) {
      console.log(`  settling for ${o.settleSeconds} s before measuring`);
      await new Promise((resolve) => setTimeout(resolve, o.settleSeconds * 1000));
    }

    // The measured window: a trickle of new and shipped orders, the cursors sampled.
    const callsBefore = (await bench.sandboxJson<{ operations: Record<string, { calls: number; throttled: number }> }>('GET', '/_sandbox/calls')).operations;
    const cpu = new CpuUsage(processesOf(bench));
    const [{ since }] = await bench.env.query<{ since: Date }>(`select now() as since`);
    const transactions = async () =>
      (await bench.env.query<{ n: number }>(`select xact_commit::float8 as n from pg_stat_database where datname = current_database()`))[0].n;
    const transactionsBefore = await transactions();
    // Where a run's time goes, from order-ingestion's own histograms (its first process; the replicas alike).
    const ingestionMetrics = () => scrapeMetrics(`${bench.system.managementUrl('order-ingestion')}/metrics`);
    const metricsBefore = await ingestionMetrics();
    const poolWaiting: number[] = [];
    cpu.begin();
    const windowFrom = Date.now();
    const until = windowFrom + o.durationSeconds * 1000;
    const lags: number[] = [];
    const worstLag = new Map<string, number>();
    let changes = 0;
    let newOrders = 0;
    let samples = 0;
    const sampling = (async () => {
      while (Date.now() < until) {
        const rows = await bench.env.query<{ id: string; lag: number }>(
          `select id, extract(epoch from now() - last_synced_until)::float8 as lag from ingestion.seller_accounts where deleted_at is null`,
        );
        for (const { id, lag } of rows) {
          lags.push(lag);
          if (lag > (worstLag.get(id) ?? -Infinity)) worstLag.set(id, lag);
        }
        // Every 10 s, as Prometheus would scrape: the scrape's own gauges cost queries too.
        if (samples++ % 5 === 0) poolWaiting.push((await ingestionMetrics()).sum('connector_db_pool_waiting_requests'));
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
    })();
    const trickle = (async () => {
      // Changes arrive at random sellers, one at a time, at the rate asked for across all accounts.
      const everyMs = 3600_000 / Math.max(1e-9, o.changesPerAccountHour * o.accounts);
      let due = Date.now();
      while (Date.now() < until) {
        const seller = sellers[Math.floor(Math.random() * sellers.length)];
        const open = unshipped.get(seller.sellerId)!;
        if (changes % 2 === 1 && open.length > 0) {
          await bench.sandboxJson('POST', `/_sandbox/orders/${open.shift()}/ship-outside`, {});
        } else {
          const now = Date.now();
          const { orderIds } = await bench.sandboxJson<{ orderIds: string[] }>('POST', `/_sandbox/sellers/${seller.sellerId}/orders/generate`, {
            count: 1,
            seed: `${seller.sellerId}-${changes}`,
            marketplaceIds: seller.marketplaceIds,
            fulfilledBy: 'MERCHANT',
            statuses: ['UNSHIPPED'],
            createdFrom: new Date(now - 60_000).toISOString(),
            createdTo: new Date(now).toISOString(),
            orderIdPrefix: String(100 + changes),
          });
          open.push(...orderIds);
          newOrders += orderIds.length;
        }
        changes++;
        due += everyMs;
        const wait = due - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(wait, until - Date.now())));
      }
    })();
    await Promise.all([sampling, trickle]);
    const windowSeconds = (Date.now() - windowFrom) / 1000;
    // Every statement outside a transaction block counts as one (the statistics lag by up to a second).
    const committed = (await transactions()) - transactionsBefore;
    const cpuSeconds = cpu.end();
    const metricsAfter = await ingestionMetrics();
    const callsAfter = (await bench.sandboxJson<{ operations: Record<string, { calls: number; throttled: number }> }>('GET', '/_sandbox/calls')).operations;

    // Runs started in the window: how long after falling due each started (the previous run's end plus the interval).
    const runs = await bench.env.query<{ delay: number | null; seconds: number | null; in_window: boolean; started_at: Date }>(
      `select extract(epoch from r.started_at - (lag(r.finished_at) over w + make_interval(secs => a.sync_interval_seconds)))::float8 as delay,
              extract(epoch from r.finished_at - r.started_at)::float8 as seconds, r.started_at >= $1 as in_window, r.started_at
         from ingestion.sync_runs r join ingestion.seller_accounts a on a.id = r.account_id
        where r.status <> 'queued'
       window w as (partition by r.account_id order by r.started_at)`,
      [since],
    ).then((rows) => rows.filter((r) => r.in_window));
    const delays = runs.map((r) => Math.max(0, r.delay ?? 0)).filter((d) => Number.isFinite(d));
    // The second half alone: the first may still carry the first syncs' backlog.
    const settledDelays = runs.filter((r) => r.started_at.getTime() >= windowFrom + (o.durationSeconds * 1000) / 2).map((r) => Math.max(0, r.delay ?? 0));
    const runSeconds = runs.map((r) => r.seconds ?? 0);
    const [{ failed }] = await bench.env.query<{ failed: number }>(`select count(*)::int as failed from ingestion.sync_runs where status = 'failed' and started_at >= $1`, [since]);

    // Everything Amazon changed up to the cursor's reach is in the connector: nothing lost.
    const [{ orders }] = await bench.env.query<{ orders: number }>(`select count(*)::int as orders from ingestion.sales_orders`);

    const lag = spread(lags);
    const missed = [...worstLag.values()].filter((l) => l > o.intervalSeconds + VISIBILITY_DELAY_SECONDS + MISSED_GRACE_SECONDS).length;
    const startDelay = spread(delays);
    const accountHours = (o.accounts * windowSeconds) / 3600;

    console.log(`\n[N=${o.accounts}, ${o.replicas} replica(s)] ${windowSeconds.toFixed(0)} s measured, interval ${o.intervalSeconds} s, ${changes} changes at Amazon (${o.changesPerAccountHour}/account-hour), clock x${o.scale}, scheduler tick ${o.tickSeconds} s`);
    console.log(`  sync lag (now - cursor, ${lags.length} samples): p50 ${lag.p50.toFixed(0)} s, p95 ${lag.p95.toFixed(0)} s, max ${lag.max.toFixed(0)} s (least possible ${VISIBILITY_DELAY_SECONDS} s, + up to the interval); beyond Amazon's ${VISIBILITY_DELAY_SECONDS} s: p95 ${(lag.p95 - VISIBILITY_DELAY_SECONDS).toFixed(0)} s`);
    console.log(`  accounts that missed their interval (lag > ${o.intervalSeconds + VISIBILITY_DELAY_SECONDS + MISSED_GRACE_SECONDS} s at some sample): ${missed} of ${o.accounts}`);
    console.log(`  runs started in the window: ${runs.length} (${(runs.length / windowSeconds).toFixed(1)}/s, ${failed} failed); start delay after due p50 ${startDelay.p50.toFixed(1)} s, p95 ${startDelay.p95.toFixed(1)} s, max ${startDelay.max.toFixed(1)} s (second half of the window: p95 ${spread(settledDelays).p95.toFixed(1)} s, max ${spread(settledDelays).max.toFixed(1)} s); run time p50 ${spread(runSeconds).p50.toFixed(2)} s, p95 ${spread(runSeconds).p95.toFixed(2)} s`);
    console.log(`  PostgreSQL: ${committed} transactions committed in the window, ${(committed / Math.max(1, runs.length)).toFixed(1)} per run started (all services; a statement outside a transaction counts as one)`);
    console.log(`  sales orders in the connector ${orders} of ${o.accounts * o.orders + newOrders} at Amazon (those of the last ${VISIBILITY_DELAY_SECONDS} s and the interval not yet due)`);
    console.log(`  calls to Amazon in the window      calls   per account-hour   throttled (429)`);
    let calls = 0;
    let throttled = 0;
    for (const [operation, after] of Object.entries(callsAfter)) {
      const c = after.calls - (callsBefore[operation]?.calls ?? 0);
      const t = after.throttled - (callsBefore[operation]?.throttled ?? 0);
      calls += c;
      throttled += t;
      if (c > 0) console.log(`    ${operation.padEnd(30)}${String(c).padStart(7)}${(c / accountHours).toFixed(2).padStart(19)}${String(t).padStart(18)}`);
    }
    console.log(`    ${'all'.padEnd(30)}${String(calls).padStart(7)}${(calls / accountHours).toFixed(2).padStart(19)}${String(throttled).padStart(18)}`);
    printRunTime(metricsBefore, metricsAfter, poolWaiting);
    const cpuTotal = cpuSeconds.reduce((sum, [, s]) => sum + s.user + s.system, 0);
    printCpuUsage(`CPU in the window (per account-hour: ${((cpuTotal * 1000) / accountHours).toFixed(0)} ms)`, cpuSeconds, Math.max(1, runs.length), 'run');

    await bench.env.query(`analyze`);
    const tables = await bench.env.query<{ schema: string; rows: number; bytes: number }>(
      `select n.nspname as schema, sum(greatest(c.reltuples, 0))::float8 as rows, sum(pg_total_relation_size(c.oid))::float8 as bytes
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind = 'r' and n.nspname in ('ingestion', 'inventory', 'notifications', 'partners', 'access')
        group by n.nspname order by 3 desc`,
    );
    const perAccount = (v: number) => v / o.accounts;
    console.log(`\n  database per account (after ${((Date.now() - createFrom) / 60_000).toFixed(1)} min of syncing)    rows      KiB`);
    for (const t of tables) console.log(`    ${t.schema.padEnd(50)}${perAccount(t.rows).toFixed(1).padStart(7)}${(perAccount(t.bytes) / 1024).toFixed(1).padStart(9)}`);
    const busiest = await bench.env.query<{ name: string; rows: number }>(
      `select schemaname || '.' || relname as name, n_live_tup::float8 as rows from pg_stat_user_tables order by n_live_tup desc limit 6`,
    );
    console.log(`    largest tables: ${busiest.map((t) => `${t.name} ${perAccount(t.rows).toFixed(1)}`).join(', ')} (rows per account)`);
    // One row per run: pruned hourly to the newest SYNC_RUNS_KEEP_PER_ACCOUNT and those younger than SYNC_RUNS_KEEP_DAYS.
    const [history] = await bench.env.query<{ runs: number; bytes: number }>(
      `select count(*)::float8 as runs, pg_total_relation_size('ingestion.sync_runs')::float8 as bytes from ingestion.sync_runs`,
    );
    const bytesPerRun = history.bytes / Math.max(1, history.runs);
    const keptRuns = Math.max(SYNC_RUNS_KEPT.perAccount, (SYNC_RUNS_KEPT.days * 86400) / o.intervalSeconds);
    console.log(
      `    ingestion.sync_runs: ${bytesPerRun.toFixed(0)} bytes per run with its indexes; kept with the defaults (newest ${SYNC_RUNS_KEPT.perAccount}, ${SYNC_RUNS_KEPT.days} day) at this interval: ${keptRuns.toFixed(0)} runs, ${((bytesPerRun * keptRuns) / 1024).toFixed(0)} KiB per account at most`,
    );
    const rows = tables.reduce((sum, t) => sum + t.rows, 0);
    const bytes = tables.reduce((sum, t) => sum + t.bytes, 0);

    const peakMiB: Record<string, number> = {};
    for (const p of bench.system.all()) peakMiB[p.name] = Math.max(peakMiB[p.name] ?? 0, vmHwmMiB(p.pid));
    console.log(`\n  peak RSS (VmHWM), MiB, the largest replica of each: ${Object.entries(peakMiB).map(([name, mib]) => `${name} ${mib}`).join(', ')}`);
    return {
      accounts: o.accounts,
      replicas: o.replicas,
      firstSyncSeconds,
      lag,
      missed,
      startDelay,
      runs: runs.length,
      runsPerSecond: runs.length / windowSeconds,
      callsPerAccountHour: calls / accountHours,
      throttled,
      cpuMsPerAccountHour: (cpuTotal * 1000) / accountHours,
      cpuMsPerRun: (cpuTotal * 1000) / Math.max(1, runs.length),
      rowsPerAccount: perAccount(rows),
      bytesPerAccount: perAccount(bytes),
      peakMiB,
    };
  } finally {
    await bench.stop();
  }
}

async function main(): Promise<void> {
  const base = {
    replicas: Number(arg('replicas', '1')),
    intervalSeconds: Number(arg('interval-seconds', '60')),
    durationSeconds: Number(arg('duration-seconds', '300')),
    orders: Number(arg('orders', '5')),
    changesPerAccountHour: Number(arg('changes-per-account-hour', '6')),
    scale: Number(arg('scale', '10')),
    tickSeconds: arg('tick-seconds', '2'),
    settleSeconds: Number(arg('settle-seconds', '0')),
  };
  const all: Figures[] = [];
  for (const accounts of arg('accounts', '100').split(',').map(Number)) all.push(await runFor({ ...base, accounts }));
  console.log(`\nMany sellers: ${base.replicas} replica(s) of ${SCALED_SERVICES.join(', ')}; interval ${base.intervalSeconds} s; ${base.durationSeconds} s measured; Amazon's limits on, clock x${base.scale}`);
  console.log('| accounts | first sync of all | lag p50 / p95 / max | missed interval | start delay p95 / max | runs/s | calls per account-hour | 429s | CPU per account-hour | CPU per run | rows / KiB per account | peak RSS MiB (ingestion, inventory, notifications, gateway) |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const f of all) {
    const mib = (name: string) => f.peakMiB[name] ?? 0;
    console.log(
      `| ${f.accounts} | ${f.firstSyncSeconds.toFixed(0)} s | ${f.lag.p50.toFixed(0)} / ${f.lag.p95.toFixed(0)} / ${f.lag.max.toFixed(0)} s | ${f.missed} | ${f.startDelay.p95.toFixed(1)} / ${f.startDelay.max.toFixed(1)} s | ${f.runsPerSecond.toFixed(1)} | ${f.callsPerAccountHour.toFixed(1)} | ${f.throttled} | ${(f.cpuMsPerAccountHour / 1000).toFixed(2)} s | ${f.cpuMsPerRun.toFixed(0)} ms | ${f.rowsPerAccount.toFixed(0)} / ${(f.bytesPerAccount / 1024).toFixed(0)} | ${mib('order-ingestion')}, ${mib('inventory')}, ${mib('amazon-notifications')}, ${mib('gateway')} |`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
