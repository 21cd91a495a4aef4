import { ServiceProcess } from '@connector/local-system';
import { RunningSystem, waitFor } from '@connector/testing';

/**
 * Many small accounts on two real order-ingestion processes (issue 18): the replicas share them
 * evenly, no account waits more than its interval plus a bounded delay, a replica that leaves
 * hands its share to the other within one interval, one that comes back takes a share again, and
 * a seller with a huge backlog keeps nobody else waiting.
 */
const ACCOUNTS = 60;
/** The accounts' interval, set in the database: the API's least is 60 s. */
const INTERVAL_SECONDS = 10;
/**
 * What a run may start later than its account fell due (its last run's end plus the interval):
 * the tick (0.5 s here), two more ticks before a replica takes another's account (OTHERS_GRACE_TICKS),
 * and room for a shared 2-core machine.
 */
const BOUND_SECONDS = 5;
const MARKETPLACE = 'A1PA6795UKMFR9';
/** The lease a dead replica's accounts wait out (the least allowed): a replica killed with -9 releases nothing. */
const LEASE_SECONDS = 10;

describe('sync scheduling across two order-ingestion replicas: fair shares, bounded waits, rebalancing', () => {
  const running = new RunningSystem();
  const accountIds: string[] = [];
  let first: ServiceProcess;
  let second: ServiceProcess;

  beforeAll(async () => {
    await running.start({ SANDBOX_TIME_SCALE: '60', SPAPI_RATE_SCALE: '60', SYNC_LEASE_SECONDS: String(LEASE_SECONDS) });
    first = running.system.process('order-ingestion');
    second = await running.system.startReplica('order-ingestion');
    for (let i = 0; i < ACCOUNTS; i++) {
      const seller = { sellerId: `A2FAIR${String(i).padStart(6, '0')}`, clientId: `fair-${i}`, clientSecret: `fair-secret-${i}`, refreshToken: `Atzr|fair-${i}`, marketplaceIds: [MARKETPLACE] };
      expect((await running.sandbox('POST', '/_sandbox/sellers', seller)).status).toBe(201);
      await running.sandbox('POST', `/_sandbox/sellers/${seller.sellerId}/orders/generate`, { count: 2, seed: seller.sellerId, marketplaceIds: [MARKETPLACE], fulfilledBy: 'MERCHANT', statuses: ['UNSHIPPED'] });
      const created = await running.createAccount(seller, 'EU', { name: `Fair ${i}` });
      expect(created.status).toBe(201);
      accountIds.push(created.body.id);
    }
    await running.env.query(`update ingestion.seller_accounts set sync_interval_seconds = $2, next_sync_at = least(next_sync_at, now()) where id = any($1)`, [accountIds, INTERVAL_SECONDS]);
    await waitFor(async () => {
      const [{ waiting }] = await running.env.query<{ waiting: number }>(`select count(*)::int as waiting from ingestion.seller_accounts where id = any($1) and last_synced_until is null`, [accountIds]);
      return waiting === 0 || undefined;
    }, { timeoutMs: 90_000, what: 'every account synced once' });
  }, 240_000);

  afterAll(() => running.stop(), 60_000);

  const now = async () => (await running.env.query<{ now: Date }>(`select now()`))[0].now;

  /** The small accounts' runs started since `from`: by whom, and how long after falling due. */
  const runsSince = (from: Date) =>
    running.env.query<{ account_id: string; replica: string; started_at: Date; delay: number | null }>(
      `select account_id, replica, started_at, delay from (
         select r.account_id, r.replica, r.started_at,
                extract(epoch from r.started_at - (lag(r.finished_at) over (partition by r.account_id order by r.started_at) + make_interval(secs => $3)))::float8 as delay
           from ingestion.sync_runs r where r.account_id = any($1) and r.started_at is not null) runs
        where started_at >= $2 order by started_at`,
      [accountIds, from, INTERVAL_SECONDS],
    );

  /**
   * Runs of one account that overlapped since `from` (runs under way then included): a run starting before the one before it ended.
   * A run of `killed` (the pid of a replica killed with -9 at `at`) ended by then at the latest, whatever
   * its row says (the next run of its account marks it failed).
   */
  const overlaps = (from: Date, killed?: { pid: string; at: Date }) =>
    running.env.query<{ account_id: string; previous: string; next: string }>(
      `select account_id, previous, next from (
         select r.account_id, r.replica as next, r.started_at,
                lag(r.replica) over w as previous,
                lag(case when $3::text is not null and r.replica like '%-' || $3 || '-%' then least(coalesce(r.finished_at, $4), $4) else r.finished_at end) over w as previous_end
           -- Also the runs still under way at \`from\` (a run of the killed replica started before the kill, say).
           from ingestion.sync_runs r where r.account_id = any($1) and r.started_at is not null
                                        and (r.started_at >= $2 or coalesce(r.finished_at, 'infinity') > $2)
         window w as (partition by r.account_id order by r.started_at)) runs
        where previous is not null and (previous_end is null or started_at < previous_end)`,
      [accountIds, from, killed?.pid ?? null, killed?.at ?? null],
    );

  /** Waits until every account has run `times` times since `from`; answers those runs. */
  const everyAccountRan = (from: Date, times: number, what: string) =>
    waitFor(async () => {
      const runs = await runsSince(from);
      const counts = new Map<string, number>();
      for (const run of runs) counts.set(run.account_id, (counts.get(run.account_id) ?? 0) + 1);
      return accountIds.every((id) => (counts.get(id) ?? 0) >= times) ? runs : undefined;
    }, { timeoutMs: 120_000, intervalMs: 500, what });

  const ranBy = (runs: { replica: string }[], process: ServiceProcess) => runs.filter((run) => run.replica.includes(`-${process.pid}-`)).length;
  const worstDelay = (runs: { delay: number | null }[]) => Math.max(...runs.map((run) => run.delay ?? 0));

  it('two replicas each take a fair share, and no account waits more than its interval plus a bounded delay', async () => {
    const from = await now();
    const runs = await everyAccountRan(from, 3, 'three runs of every account');
    const shares = [ranBy(runs, first), ranBy(runs, second)];
    console.log(`two replicas: ${runs.length} runs, ${shares.join(' + ')}; worst start delay after due ${worstDelay(runs).toFixed(2)} s`);
    expect(shares[0] + shares[1]).toBe(runs.length);
    for (const share of shares) expect(share).toBeGreaterThanOrEqual(0.3 * runs.length);
    expect(worstDelay(runs)).toBeLessThanOrEqual(BOUND_SECONDS);
  });

  it('a replica that stops hands its share to the other within one interval; started again, it takes a share again', async () => {
    await second.stop('SIGTERM');
    const stopped = await now();
    const alone = await everyAccountRan(stopped, 1, 'every account run by the replica left');
    // Each account's first run since: within one interval (and the bound) of the stop, by the replica left.
    const firstRuns = accountIds.map((id) => alone.find((run) => run.account_id === id)!);
    const latest = Math.max(...firstRuns.map((run) => (run.started_at.getTime() - stopped.getTime()) / 1000));
    console.log(`one replica: every account taken within ${latest.toFixed(2)} s of the stop; worst start delay after due ${worstDelay(alone).toFixed(2)} s`);
    expect(firstRuns.every((run) => run.replica.includes(`-${first.pid}-`))).toBe(true);
    expect(latest).toBeLessThanOrEqual(INTERVAL_SECONDS + BOUND_SECONDS);
    expect(worstDelay(alone)).toBeLessThanOrEqual(BOUND_SECONDS);

    await second.start();
    const back = await now();
    const runs = await everyAccountRan(back, 3, 'three runs of every account with both replicas again');
    const shares = [ranBy(runs, first), ranBy(runs, second)];
    console.log(`replica back: ${runs.length} runs, ${shares.join(' + ')}; worst start delay after due ${worstDelay(runs).toFixed(2)} s`);
    expect(shares[0] + shares[1]).toBe(runs.length);
    for (const share of shares) expect(share).toBeGreaterThanOrEqual(0.3 * runs.length);
    expect(worstDelay(runs)).toBeLessThanOrEqual(BOUND_SECONDS);
  });

  it('a seller with a huge backlog does not keep the others waiting', async () => {
    const seller = { sellerId: 'A2FAIRBACKLOG1', clientId: 'backlog', clientSecret: 'backlog-secret', refreshToken: 'Atzr|backlog', marketplaceIds: [MARKETPLACE] };
    expect((await running.sandbox('POST', '/_sandbox/sellers', seller)).status).toBe(201);
    await running.sandbox('POST', `/_sandbox/sellers/${seller.sellerId}/orders/generate`, { count: 1500, seed: 'backlog', marketplaceIds: [MARKETPLACE], fulfilledBy: 'MERCHANT', statuses: ['UNSHIPPED'] });
    // Each of its pages (100 orders) takes 1.5 s at Amazon: its first sync lasts well over two intervals.
    await running.sandbox('POST', '/_sandbox/faults', { operation: 'searchOrders', sellerId: seller.sellerId, latencyMs: 1500 });
    try {
      const backlogId = (await running.createAccount(seller, 'EU', { name: 'Backlog' })).body.id as string;
      const started = await waitFor(async () => {
        const [run] = await running.env.query<{ started_at: Date }>(`select started_at from ingestion.sync_runs where account_id = $1 and status = 'running'`, [backlogId]);
        return run?.started_at;
      }, { what: 'the backlog run to start' });
      const big = await waitFor(async () => {
        const [run] = await running.env.query<{ status: string; finished_at: Date; orders_seen: number }>(
          `select status, finished_at, orders_seen from ingestion.sync_runs where account_id = $1 and status <> 'running' order by created_at desc limit 1`,
          [backlogId],
        );
        return run;
      }, { timeoutMs: 180_000, intervalMs: 1000, what: 'the backlog run to end' });
      expect(big).toMatchObject({ status: 'succeeded', orders_seen: 1500 });
      const seconds = (big.finished_at.getTime() - started.getTime()) / 1000;
      expect(seconds).toBeGreaterThan(2 * INTERVAL_SECONDS);
      // Meanwhile every small account kept syncing on its interval.
      const meanwhile = (await runsSince(started)).filter((run) => run.started_at.getTime() <= big.finished_at.getTime());
      const perAccount = new Map<string, number>();
      for (const run of meanwhile) perAccount.set(run.account_id, (perAccount.get(run.account_id) ?? 0) + 1);
      const fewest = Math.min(...accountIds.map((id) => perAccount.get(id) ?? 0));
      console.log(`backlog run ${seconds.toFixed(1)} s; meanwhile ${meanwhile.length} runs of the others, at least ${fewest} each; worst start delay after due ${worstDelay(meanwhile).toFixed(2)} s`);
      expect(fewest).toBeGreaterThanOrEqual(Math.floor(seconds / (INTERVAL_SECONDS + BOUND_SECONDS)));
      expect(worstDelay(meanwhile)).toBeLessThanOrEqual(BOUND_SECONDS);
    } finally {
      await running.sandbox('DELETE', '/_sandbox/faults');
    }
  });
  it('a replica killed with -9 mid-run: the other takes every account within one interval plus the lease, and no two runs of one account overlap', async () => {
    // Every page takes 2 s at Amazon: the replica killed is inside several runs, holding their leases.
    await running.sandbox('POST', '/_sandbox/faults', { operation: 'searchOrders', latencyMs: 2000 });
    try {
      const from = await now();
      const victim = second;
      const victimRuns = `select count(*)::int as n from ingestion.sync_runs where account_id = any($1) and status = 'running' and replica like '%-' || $2 || '-%'`;
      await waitFor(async () => {
        const [{ n }] = await running.env.query<{ n: number }>(victimRuns, [accountIds, String(victim.pid)]);
        return n >= 2 || undefined;
      }, { timeoutMs: 60_000, intervalMs: 200, what: 'the replica to be inside runs' });
      const pid = String(victim.pid);
      await victim.stop('SIGKILL');
      const killedAt = await now();

      const after = await everyAccountRan(killedAt, 1, 'every account run by the replica left');
      const firstRuns = accountIds.map((id) => after.find((run) => run.account_id === id)!);
      const latest = Math.max(...firstRuns.map((run) => (run.started_at.getTime() - killedAt.getTime()) / 1000));
      // Runs the kill cut short: nothing of the dead replica ended them but the survivor's next run of the account.
      const [{ cut }] = await running.env.query<{ cut: number }>(
        `select count(*)::int as cut from ingestion.sync_runs where account_id = any($1) and replica like '%-' || $2 || '-%' and (finished_at is null or finished_at > $3)`,
        [accountIds, pid, killedAt],
      );
      console.log(`replica killed with -9 inside ${cut} runs: every account taken by the other within ${latest.toFixed(2)} s`);
      expect(cut).toBeGreaterThan(0);
      expect(firstRuns.every((run) => run.replica.includes(`-${first.pid}-`))).toBe(true);
      expect(latest).toBeLessThanOrEqual(INTERVAL_SECONDS + LEASE_SECONDS + BOUND_SECONDS);
      expect(await overlaps(from, { pid, at: killedAt })).toEqual([]);
    } finally {
      await running.sandbox('DELETE', '/_sandbox/faults');
    }
  });
});
