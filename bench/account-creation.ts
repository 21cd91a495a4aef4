/**
 * Account creation benchmark: how fast seller accounts are added, one at a time and by import.
 *
 *   node dist/bench/account-creation.js --accounts 1000 --phases single-off,single-on,import
 *
 * Each phase on a fresh system (the sandbox's limits off: creation is measured, not Amazon):
 * - `single-off`: POST /api/v1/accounts, `--concurrency` at a time (8), sync off: the create path alone;
 * - `single-on`: the same with sync on (`--interval-seconds`, 60), sandbox sellers with `--orders` orders
 *   each: the first syncs of the accounts already made compete with the creation of the next ones;
 * - `import`: POST /api/v1/accounts/import in chunks of `--chunk` (500), sync on, one chunk at a time;
 *   `import-off`: the same with sync off.
 * Printed per phase: accounts per second, request latency p50/p95, CPU per account by process.
 */
import { CpuUsage, printCpuUsage } from './cpu-usage';
import { arg, BenchSystem, percentile } from './support';

const MARKETPLACE = 'A1PA6795UKMFR9';

interface Seller {
  sellerId: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  marketplaceIds: string[];
}

async function eachLimited<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

function processesOf(bench: BenchSystem): () => Map<string, number | undefined> {
  return () => new Map([...bench.system.processes].map(([name, p]) => [name, p.pid]));
}

async function phase(name: string, o: { accounts: number; concurrency: number; chunk: number; intervalSeconds: number; orders: number; idleSeconds: number }): Promise<void> {
  const bench = new BenchSystem();
  await bench.start({ SANDBOX_RATE_LIMITS: 'off', LOG_LEVEL: 'warn' });
  try {
    const syncOn = !name.endsWith('-off');
    const sellers: Seller[] = Array.from({ length: o.accounts }, (_, i) => ({
      sellerId: `A2MADE${String(i).padStart(6, '0')}`,
      clientId: `made-${i}`,
      clientSecret: `made-secret-${i}`,
      refreshToken: `Atzr|made-${i}`,
      marketplaceIds: [MARKETPLACE],
    }));
    if (syncOn) {
      await eachLimited(sellers, 16, async (seller) => {
        await bench.sandboxJson('POST', '/_sandbox/sellers', seller);
        await bench.sandboxJson('POST', `/_sandbox/sellers/${seller.sellerId}/orders/generate`, {
          count: o.orders,
          seed: seller.sellerId,
          marketplaceIds: seller.marketplaceIds,
          fulfilledBy: 'MERCHANT',
          statuses: ['UNSHIPPED'],
        });
      });
    }
    const extra = { name: 'Bench', syncEnabled: syncOn, syncIntervalSeconds: o.intervalSeconds };
    // What the system spends doing nothing (pollers, ticks, health), to tell apart from what creation costs.
    const idle = new CpuUsage(processesOf(bench));
    idle.begin();
    const idleFrom = Date.now();
    await new Promise((resolve) => setTimeout(resolve, o.idleSeconds * 1000));
    const idleUsage = idle.end();
    const idleSeconds = (Date.now() - idleFrom) / 1000;
    const cpu = new CpuUsage(processesOf(bench));
    const latencies: number[] = [];
    cpu.begin();
    const from = Date.now();
    if (name.startsWith('import')) {
      const chunks: Seller[][] = [];
      for (let i = 0; i < sellers.length; i += o.chunk) chunks.push(sellers.slice(i, i + o.chunk));
      for (const chunk of chunks) {
        const started = Date.now();
        await bench.benchImport(chunk, extra);
        latencies.push(Date.now() - started);
      }
    } else {
      await eachLimited(sellers, o.concurrency, async (seller) => {
        const started = Date.now();
        await bench.benchAccount(seller, extra);
        latencies.push(Date.now() - started);
      });
    }
    const seconds = (Date.now() - from) / 1000;
    const usage = cpu.end();
    const [{ made }] = await bench.env.query<{ made: number }>(`select count(*)::int as made from ingestion.seller_accounts where deleted_at is null`);
    const [{ synced }] = await bench.env.query<{ synced: number }>(`select count(*)::int as synced from ingestion.seller_accounts where last_synced_until is not null`);
    const [{ audited }] = await bench.env.query<{ audited: number }>(`select count(*)::int as audited from access.audit_log`);
    console.log(
      `\n[${name}] ${made} accounts in ${seconds.toFixed(1)} s: ${(made / seconds).toFixed(1)} accounts/s; ` +
        `${name.startsWith('import') ? `${latencies.length} requests of up to ${o.chunk}` : `${o.concurrency} at a time`}, latency p50 ${percentile(latencies, 50)} ms, p95 ${percentile(latencies, 95)} ms; ` +
        `${synced} synced meanwhile; ${audited} audit entries`,
    );
    printCpuUsage(`CPU while creating (${name})`, usage, made, 'account');
    const idleOf = new Map(idleUsage.map(([part, c]) => [part, ((c.user + c.system) / idleSeconds) * seconds]));
    const net = usage.map(([part, c]): [string, { user: number; system: number }] => [part, { user: Math.max(0, c.user + c.system - (idleOf.get(part) ?? 0)), system: 0 }]);
    printCpuUsage(`  less what the idle system spends in as long (measured over ${idleSeconds.toFixed(0)} s before)`, net, made, 'account');
  } finally {
    await bench.stop();
  }
}

async function main(): Promise<void> {
  const options = {
    accounts: Number(arg('accounts', '1000')),
    concurrency: Number(arg('concurrency', '8')),
    chunk: Number(arg('chunk', '500')),
    intervalSeconds: Number(arg('interval-seconds', '60')),
    orders: Number(arg('orders', '5')),
    idleSeconds: Number(arg('idle-seconds', '15')),
  };
  for (const name of arg('phases', 'single-off,single-on,import-off,import').split(',')) await phase(name, options);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
