import { IngestionDatabase, insertSellerAccount } from '../../test/ingestion-database';
import { DataSource } from 'typeorm';
import { waitFor } from '@connector/testing';
import { OrderIngestionSettings } from '../order-ingestion.settings';
import { MAX_RUNS_TO_KEEP_TAKING, OTHERS_GRACE_TICKS, SyncScheduler, TICK_BATCH } from './sync-scheduler';
import { NotificationFlow } from '../order-notifications/notification-flow';
import { SyncService } from './sync.service';
import { syncSoon } from './sync-soon';

/**
 * Two schedulers (replicas) on real PostgreSQL, with a stand-in for the sync run: what is
 * tested here is the lease, not the sync. A page takes longer than the whole lease, as one
 * does when it waits for Amazon's quota.
 */
describe('sync scheduler on real PostgreSQL: one replica per account, even when a page outlasts the lease', () => {
  const database = new IngestionDatabase();
  let db: DataSource;
  const schedulers: SyncScheduler[] = [];
  const settings = { SYNC_TICK_SECONDS: 0.2, SYNC_LEASE_SECONDS: 1 } as OrderIngestionSettings;

  beforeAll(async () => {
    db = await database.setUp();
  });

  afterAll(async () => {
    for (const scheduler of schedulers) await scheduler.onApplicationShutdown();
    await database.tearDown();
  });

  let sellers = 0;
  const addAccount = async () => {
    return insertSellerAccount(db, { name: 'lease test', sellerId: `A2LEASE${String(++sellers).padStart(4, '0')}` });
  };

  /** A run of `pages` pages of `pageMs` each, that renews after each page as SyncService does. */
  const slowRun = (log: string[], active: Set<string>, pages: number, pageMs: number) => (name: string) =>
    ({
      run: async (_account: unknown, _replica: unknown, leaseHeld: () => Promise<boolean>) => {
        active.add(name);
        if (active.size > 1) log.push(`overlap: ${[...active].join('+')}`);
        try {
          for (let page = 1; page <= pages; page++) {
            await new Promise((resolve) => setTimeout(resolve, pageMs));
            if (!(await leaseHeld())) return log.push(`${name} lost the lease after page ${page}`);
            log.push(`${name} page ${page}`);
          }
          log.push(`${name} done`);
        } finally {
          active.delete(name);
        }
      },
    }) as unknown as SyncService;

  const start = (service: SyncService) => {
    const scheduler = new SyncScheduler(db, service, settings);
    schedulers.push(scheduler);
    scheduler.onApplicationBootstrap();
    return scheduler;
  };

  it('the replica that took the account keeps it through pages longer than the lease; the other never runs it meanwhile', async () => {
    const accountId = await addAccount();
    const log: string[] = [];
    const stub = slowRun(log, new Set(), 3, 1500);
    start(stub('A'));
    await waitFor(async () => (await db.query(`select lease_owner from ingestion.seller_accounts where id = $1`, [accountId]))[0].lease_owner, { what: 'A to take the account' });
    start(stub('B'));
    await waitFor(async () => log.includes('A done') || log.some((line) => line.startsWith('B')), { timeoutMs: 15_000, what: 'the run to end' });
    expect(log).toEqual(['A page 1', 'A page 2', 'A page 3', 'A done']);
    // Released: due again only after its interval.
    const [account] = await db.query(`select lease_owner, next_sync_at > now() as later from ingestion.seller_accounts where id = $1`, [accountId]);
    expect(account).toEqual({ lease_owner: null, later: true });
  });

  it('a replica that stops renewing loses the account to another once the lease runs out', async () => {
    for (const scheduler of schedulers.splice(0)) await scheduler.onApplicationShutdown();
    const accountId = await addAccount();
    const log: string[] = [];
    const active = new Set<string>();
    const stub = slowRun(log, active, 2, 3000);
    const first = start(stub('C'));
    await waitFor(async () => active.has('C'), { what: 'C to take the account' });
    // C's process stalls: its run goes on, but nothing renews the lease.
    await first.onApplicationShutdown();
    start(stub('D'));
    await waitFor(async () => log.includes('D done'), { timeoutMs: 15_000, what: 'D to sync the account' });
    await waitFor(async () => log.some((line) => line.startsWith('C lost')), { what: 'C to notice' });
    expect(log).toContain('C lost the lease after page 1');
    expect(log.filter((line) => line.startsWith('C page'))).toEqual([]);
    // Released by D once its run returned (just after it logged 'D done').
    await waitFor(async () => (await db.query(`select lease_owner from ingestion.seller_accounts where id = $1`, [accountId]))[0].lease_owner === null || undefined, {
      what: 'the lease released',
    });
  });

  it('a next sync brought forward while the run goes on ("synced soon instead") is kept, not overwritten by the run\'s own interval', async () => {
    for (const scheduler of schedulers.splice(0)) await scheduler.onApplicationShutdown();
    const broughtForward = await addAccount();
    const untouched = await addAccount();
    let runs = 0;
    // Each run, as the notification reader does for a held notification meanwhile, brings one account's next sync forward.
    start({
      run: async (account: { id: string }) => {
        runs++;
        if (account.id === broughtForward) await syncSoon(db, [account.id], new Date(), 150);
      },
    } as unknown as SyncService);
    const secondsToNext = async (id: string) => {
      const [row] = await db.query(`select lease_owner, extract(epoch from next_sync_at - now()) as s from ingestion.seller_accounts where id = $1`, [id]);
      return row.lease_owner === null && Number(row.s) > 0 ? Number(row.s) : undefined;
    };
    const soon = await waitFor(() => secondsToNext(broughtForward), { timeoutMs: 15_000, what: 'the run of the account brought forward to end' });
    const later = await waitFor(() => secondsToNext(untouched), { timeoutMs: 15_000, what: 'the run of the other account to end' });
    expect(runs).toBe(2);
    expect(soon).toBeGreaterThan(100);
    expect(soon).toBeLessThanOrEqual(150);
    // The interval (an hour), where nothing brought it forward.
    expect(later).toBeGreaterThan(3500);
  });
});

/**
 * Many small accounts due at once (bench/many-sellers.ts): a tick starts them all, the longest
 * due first, rather than one batch of TICK_BATCH a tick; with MAX_RUNS_TO_KEEP_TAKING runs under
 * way it takes one batch a tick, as before.
 */
describe('sync scheduler on real PostgreSQL: a tick with many accounts due', () => {
  const database = new IngestionDatabase();
  let db: DataSource;
  let scheduler: SyncScheduler | undefined;
  const settings = { SYNC_TICK_SECONDS: 3600, SYNC_LEASE_SECONDS: 60 } as OrderIngestionSettings;

  beforeAll(async () => {
    db = await database.setUp();
  });

  afterEach(async () => {
    await scheduler?.onApplicationShutdown();
    await db.query(`delete from ingestion.seller_accounts`);
    // The stopped scheduler's heartbeat: the next test's scheduler is alone, as in one replica.
    await db.query(`delete from ingestion.sync_replicas`);
  });

  afterAll(async () => {
    await database.tearDown();
  });

  /** `count` accounts, the first due longest ago; their ids in that order. */
  const addDueAccounts = async (count: number, prefix: string): Promise<string[]> => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      ids.push(await insertSellerAccount(db, { sellerId: `A2${prefix}${String(i).padStart(5, '0')}`, nextSyncAt: `now() - interval '${count - i} seconds'` }));
    }
    return ids;
  };

  /** A sync that records which accounts it started, in order, and ends when `finish` says so. */
  const recordingSync = (started: string[], finish: Promise<void>) =>
    ({
      run: async (account: { id: string }) => {
        started.push(account.id);
        await finish;
      },
    }) as unknown as SyncService;

  it('one tick starts every due account, longest due first, each once, and each is due again only after its interval', async () => {
    const ids = await addDueAccounts(3 * TICK_BATCH + 5, 'MANY');
    const started: string[] = [];
    scheduler = new SyncScheduler(db, recordingSync(started, Promise.resolve()), settings);
    await scheduler.tick();
    expect(started).toEqual(ids);
    await waitFor(async () => {
      const [{ leased }] = await db.query(`select count(*)::int as leased from ingestion.seller_accounts where lease_owner is not null`);
      return leased === 0 || undefined;
    }, { what: 'every lease released' });
    const [{ due }] = await db.query(`select count(*)::int as due from ingestion.seller_accounts where next_sync_at <= now()`);
    expect(due).toBe(0);
    await scheduler.tick();
    expect(started).toHaveLength(ids.length);
  });

  it(`with ${MAX_RUNS_TO_KEEP_TAKING} runs under way a tick takes one batch, as before, and leaves the rest due`, async () => {
    const ids = await addDueAccounts(MAX_RUNS_TO_KEEP_TAKING + 2 * TICK_BATCH + 5, 'BUSY');
    const started: string[] = [];
    let finish!: () => void;
    scheduler = new SyncScheduler(db, recordingSync(started, new Promise<void>((resolve) => (finish = resolve))), settings);
    await scheduler.tick();
    expect(started).toEqual(ids.slice(0, MAX_RUNS_TO_KEEP_TAKING));
    await scheduler.tick();
    expect(started).toEqual(ids.slice(0, MAX_RUNS_TO_KEEP_TAKING + TICK_BATCH));
    const [{ leased }] = await db.query(`select count(*)::int as leased from ingestion.seller_accounts where lease_owner is not null`);
    expect(leased).toBe(MAX_RUNS_TO_KEEP_TAKING + TICK_BATCH);
    finish();
    await waitFor(async () => {
      const [{ held }] = await db.query(`select count(*)::int as held from ingestion.seller_accounts where lease_owner is not null`);
      return held === 0 || undefined;
    }, { what: 'every lease released' });
  });
});

/**
 * Replicas share the accounts (issue 18): each takes the due accounts its hash gives it among the
 * live replicas (sync_replicas), and any account due for longer than OTHERS_GRACE_TICKS ticks,
 * so a replica that is busy, gone or never ticks delays its accounts by that much at most.
 */
describe('sync scheduler on real PostgreSQL: fair shares among live replicas', () => {
  const database = new IngestionDatabase();
  let db: DataSource;
  const settings = { SYNC_TICK_SECONDS: 0.5, SYNC_LEASE_SECONDS: 60 } as OrderIngestionSettings;

  beforeAll(async () => {
    db = await database.setUp();
  });

  afterAll(async () => {
    await database.tearDown();
  });

  it("a replica takes its share at once, and another live replica's share only once it is due longer than the grace", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push(await insertSellerAccount(db, { sellerId: `A2SHARE${String(i).padStart(5, '0')}`, nextSyncAt: `now()` }));
    const started: string[] = [];
    const scheduler = new SyncScheduler(db, { run: async (account: { id: string }) => void started.push(account.id) } as unknown as SyncService, settings);
    // Another replica, alive (its heartbeat fresh) but taking nothing.
    const phantom = 'a-replica-that-never-ticks';
    await db.query(`insert into ingestion.sync_replicas (replica, seen_at) values ($1, now())`, [phantom]);
    const index = [scheduler.replica, phantom].sort().indexOf(scheduler.replica);
    const ours: string[] = (await db.query(`select id from ingestion.seller_accounts where mod(abs(hashtext(id::text)::bigint), 2) = $1`, [index])).map((r: { id: string }) => r.id);
    expect(ours.length).toBeGreaterThan(0);
    expect(ours.length).toBeLessThan(ids.length);

    await scheduler.tick();
    expect([...started].sort()).toEqual([...ours].sort());

    // Due for longer than two ticks: the phantom's accounts are anyone's.
    await db.query(`update ingestion.sync_replicas set seen_at = now()`);
    await db.query(`update ingestion.seller_accounts set next_sync_at = now() - make_interval(secs => $1) where not (id = any($2::uuid[]))`, [settings.SYNC_TICK_SECONDS * OTHERS_GRACE_TICKS + 0.1, ours]);
    await scheduler.tick();
    expect([...started].sort()).toEqual([...ids].sort());
    await scheduler.onApplicationShutdown();
  });
});

/**
 * A PostgreSQL outage (fault 3) cut the account's run short and the lease's release set its next
 * sync a whole interval away: the orders it had not read waited that long after the database was
 * back. A run an outage cut short is tried again after a short back-off; a lease of this replica
 * with no run of it here (its release or its claim's answer lost to the outage) is taken again at once.
 */
describe('sync scheduler on real PostgreSQL: after an outage', () => {
  const database = new IngestionDatabase();
  let db: DataSource;
  let scheduler: SyncScheduler | undefined;
  const settings = { SYNC_TICK_SECONDS: 3600, SYNC_LEASE_SECONDS: 60, SYNC_OUTAGE_RETRY_SECONDS: 3 } as OrderIngestionSettings;

  beforeAll(async () => {
    db = await database.setUp();
  });

  afterEach(async () => {
    await scheduler?.onApplicationShutdown();
    await db.query(`delete from ingestion.sync_replicas`);
  });

  afterAll(async () => {
    await database.tearDown();
  });

  const secondsToNextSync = async (id: string): Promise<number | undefined> => {
    const [row] = await db.query(`select lease_owner, extract(epoch from next_sync_at - now())::float8 as s from ingestion.seller_accounts where id = $1`, [id]);
    return row.lease_owner === null ? Number(row.s) : undefined;
  };

  /** Runs end as `ends` says, one after another (the last repeated); each run's account is recorded. */
  const endingSync = (started: string[], ends: ('outage' | 'failed' | 'succeeded' | 'throws')[]) =>
    ({
      run: async (account: { id: string }) => {
        const end = ends[Math.min(started.length, ends.length - 1)];
        started.push(account.id);
        if (end === 'throws') throw new Error('Connection terminated unexpectedly');
        return { run: { status: end === 'succeeded' ? 'succeeded' : 'failed' }, outage: end === 'outage' };
      },
    }) as unknown as SyncService;

  const outageRuns = async (id: string): Promise<number> => (await db.query(`select outage_runs from ingestion.seller_accounts where id = $1`, [id]))[0].outage_runs;

  it('a run an outage cut short is due again between half its ceiling and its ceiling, the ceiling doubled in a row, not after its interval; any other end waits the interval and starts the count again', async () => {
    await db.query(`update ingestion.seller_accounts set sync_enabled = false`);
    const id = await insertSellerAccount(db, { sellerId: 'A2OUTAGE00001', syncIntervalSeconds: 600 });
    const started: string[] = [];
    scheduler = new SyncScheduler(db, endingSync(started, ['outage', 'throws', 'outage', 'failed', 'outage']), settings);
    let draw = 0.999;
    scheduler.random = () => draw;
    const runOnce = async () => {
      await db.query(`update ingestion.seller_accounts set next_sync_at = now() where id = $1`, [id]);
      const before = started.length;
      await scheduler!.tick();
      expect(started.length).toBe(before + 1);
      return waitFor(() => secondsToNextSync(id), { what: 'the lease released' });
    };
    const base = settings.SYNC_OUTAGE_RETRY_SECONDS;
    // The highest draw: the ceiling itself, 3, 6, 12 s (a run that could not even start, the database away, counts too).
    expect(await runOnce()).toBeCloseTo(base, 0);
    expect(await outageRuns(id)).toBe(1);
    expect(await runOnce()).toBeCloseTo(2 * base, 0);
    expect(await outageRuns(id)).toBe(2);
    // The lowest draw: half the ceiling, never at once (full jitter's mean of half the cap ran an account twice an interval).
    draw = 0;
    expect(await runOnce()).toBeCloseTo(2 * base, 0);
    expect(await outageRuns(id)).toBe(3);
    // A failure of the run's own (Amazon refused it, say): the account's interval, as before, and the count starts again.
    expect(await runOnce()).toBeGreaterThan(590);
    expect(await outageRuns(id)).toBe(0);
    expect(await runOnce()).toBeCloseTo(base / 2, 0);
    expect(await outageRuns(id)).toBe(1);
  });

  it('once the ceiling reaches the interval the retry waits the plain interval, whatever the draw', async () => {
    await db.query(`update ingestion.seller_accounts set sync_enabled = false`);
    const id = await insertSellerAccount(db, { sellerId: 'A2OUTAGE00003', syncIntervalSeconds: 600 });
    // 3·2^7 = 384 s < 600 s: still the jittered ceiling; 3·2^8 = 768 s: the interval.
    await db.query(`update ingestion.seller_accounts set outage_runs = 7 where id = $1`, [id]);
    scheduler = new SyncScheduler(db, endingSync([], ['outage']), settings);
    scheduler.random = () => 0;
    await scheduler.tick();
    expect(await waitFor(() => secondsToNextSync(id), { what: 'the lease released' })).toBeCloseTo(192, 0);
    await db.query(`update ingestion.seller_accounts set outage_runs = 29, next_sync_at = now() where id = $1`, [id]);
    await scheduler.tick();
    expect(await waitFor(() => secondsToNextSync(id), { what: 'the lease released' })).toBeCloseTo(600, 0);
    expect(await outageRuns(id)).toBe(30);
    await db.query(`update ingestion.seller_accounts set next_sync_at = now() where id = $1`, [id]);
    await scheduler.tick();
    expect(await waitFor(() => secondsToNextSync(id), { what: 'the lease released' })).toBeCloseTo(600, 0);
    expect(await outageRuns(id)).toBe(30);
  });

  it('the cap is the interval the account runs on: hourly while its order notifications flow, not its own shorter one', async () => {
    await db.query(`update ingestion.seller_accounts set sync_enabled = false`);
    const id = await insertSellerAccount(db, { sellerId: 'A2OUTAGE00004', syncIntervalSeconds: 300 });
    await db.query(
      `insert into ingestion.order_change_subscriptions (account_id, queue_arn, status, subscription_id, destination_id, due_at, subscribed_at, verified_at, last_notification_at)
       values ($1, 'arn:aws:sqs:eu-west-1:123456789012:order-changes', 'subscribed', 's', 'd', now(), now(), now(), now())`,
      [id],
    );
    await db.query(`update ingestion.seller_accounts set outage_runs = 9 where id = $1`, [id]);
    const flow = { relaxedIntervalSeconds: () => 3600 } as NotificationFlow;
    scheduler = new SyncScheduler(db, endingSync([], ['outage']), settings, undefined, flow);
    scheduler.random = () => 0.999;
    // 3·2^9 = 1536 s: past the account's own 300 s, under the hour it runs on.
    await scheduler.tick();
    expect(await waitFor(() => secondsToNextSync(id), { what: 'the lease released' })).toBeCloseTo(1536 * 0.9995, 0);
    await db.query(`update ingestion.seller_accounts set next_sync_at = now() where id = $1`, [id]);
    await scheduler.tick();
    expect(await waitFor(() => secondsToNextSync(id), { what: 'the lease released' })).toBeCloseTo(3072 * 0.9995, 0);
    await db.query(`update ingestion.seller_accounts set next_sync_at = now() where id = $1`, [id]);
    await scheduler.tick();
    expect(await waitFor(() => secondsToNextSync(id), { what: 'the lease released' })).toBeCloseTo(3600, 0);
    await db.query(`delete from ingestion.order_change_subscriptions where account_id = $1`, [id]);
  });

  it("the count is the account's: another replica's run that ends otherwise starts it again for every replica", async () => {
    const id = await insertSellerAccount(db, { sellerId: 'A2OUTAGE00002', syncIntervalSeconds: 600 });
    await db.query(`update ingestion.seller_accounts set outage_runs = 5 where id = $1`, [id]);
    const started: string[] = [];
    scheduler = new SyncScheduler(db, endingSync(started, ['succeeded']), settings);
    await scheduler.tick();
    await waitFor(() => secondsToNextSync(id), { what: 'the lease released' });
    expect(await outageRuns(id)).toBe(0);
  });

  it('the accounts one outage cut short come back spread over the back-off, not all at once', async () => {
    await db.query(`update ingestion.seller_accounts set sync_enabled = false`);
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push(await insertSellerAccount(db, { sellerId: `A2OUTAGESPREAD${i}`, syncIntervalSeconds: 600 }));
    scheduler = new SyncScheduler(db, endingSync([], ['outage']), settings);
    await scheduler.tick();
    const delays = await Promise.all(ids.map((id) => waitFor(() => secondsToNextSync(id), { what: 'the lease released' })));
    expect(Math.max(...delays)).toBeLessThanOrEqual(settings.SYNC_OUTAGE_RETRY_SECONDS);
    // Without jitter every one is 3 s away, give or take the few ms between their releases.
    expect(Math.max(...delays) - Math.min(...delays)).toBeGreaterThan(0.5);
    await db.query(`update ingestion.seller_accounts set sync_enabled = false where id = any($1::uuid[])`, [ids]);
  });

  it('a requested sync of an account with sync off that an outage cut short stays requested, and is tried again after the back-off', async () => {
    await db.query(`update ingestion.seller_accounts set sync_enabled = false`);
    const id = await insertSellerAccount(db, { sellerId: 'A2OUTAGEREQ01', syncEnabled: false, syncIntervalSeconds: 600 });
    await db.query(`update ingestion.seller_accounts set sync_requested_at = now() where id = $1`, [id]);
    const started: string[] = [];
    scheduler = new SyncScheduler(db, endingSync(started, ['outage', 'succeeded']), settings);
    await scheduler.tick();
    await waitFor(() => secondsToNextSync(id), { what: 'the lease released' });
    const [row] = await db.query(`select extract(epoch from sync_requested_at - now())::float8 as s from ingestion.seller_accounts where id = $1`, [id]);
    expect(row.s).not.toBeNull();
    expect(row.s).toBeLessThanOrEqual(settings.SYNC_OUTAGE_RETRY_SECONDS);
    await waitFor(async () => {
      await scheduler!.tick();
      return started.length === 2 || undefined;
    }, { timeoutMs: 10_000, intervalMs: 200, what: 'the requested sync tried again' });
    expect(started).toEqual([id, id]);
    await waitFor(async () => ((await db.query(`select sync_requested_at, lease_owner from ingestion.seller_accounts where id = $1`, [id]))[0].lease_owner === null ? true : undefined), { what: 'the second run released' });
    const [after] = await db.query(`select sync_requested_at from ingestion.seller_accounts where id = $1`, [id]);
    expect(after.sync_requested_at).toBeNull();
  });

  it('a requested sync of an account with sync off is dropped once the outage retry would wait its whole interval; with sync on the request is done and next_sync_at brings the retry', async () => {
    await db.query(`update ingestion.seller_accounts set sync_enabled = false`);
    const off = await insertSellerAccount(db, { sellerId: 'A2OUTAGEREQ02', syncEnabled: false, syncIntervalSeconds: 600 });
    const on = await insertSellerAccount(db, { sellerId: 'A2OUTAGEREQ03', syncIntervalSeconds: 600 });
    // 3·2^8 = 768 s: the ceiling past the interval.
    await db.query(`update ingestion.seller_accounts set sync_requested_at = now(), outage_runs = 8 where id = $1`, [off]);
    await db.query(`update ingestion.seller_accounts set sync_requested_at = now(), next_sync_at = now() + interval '1 hour' where id = $1`, [on]);
    const started: string[] = [];
    scheduler = new SyncScheduler(db, endingSync(started, ['outage']), settings);
    scheduler.random = () => 0.5;
    await scheduler.tick();
    expect([...started].sort()).toEqual([off, on].sort());
    await waitFor(async () => ((await secondsToNextSync(off)) !== undefined && (await secondsToNextSync(on)) !== undefined) || undefined, { what: 'both leases released' });
    const rows: { id: string; requested: string | null; next: number }[] = await db.query(
      `select id, sync_requested_at as requested, extract(epoch from next_sync_at - now())::float8 as next from ingestion.seller_accounts where id = any($1::uuid[])`,
      [[off, on]],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(off)!.requested).toBeNull();
    expect(byId.get(on)!.requested).toBeNull();
    // Equal jitter at draw 0.5: three quarters of the 3 s ceiling.
    expect(byId.get(on)!.next).toBeCloseTo(2.25, 0);
    // Nothing of the sync-off account is due any more: a tick starts nothing.
    await db.query(`update ingestion.seller_accounts set sync_enabled = false where id = $1`, [on]);
    await scheduler.tick();
    expect(started).toHaveLength(2);
  });

  /** Runs that wait for `go` before they end (succeeded); two runs at once of one account are logged as an overlap. */
  const heldSync = (log: string[], go: () => Promise<void>) => {
    const active = new Set<string>();
    return {
      run: async (account: { id: string }) => {
        if (active.has(account.id)) log.push(`overlap ${account.id}`);
        active.add(account.id);
        log.push(`start ${account.id}`);
        try {
          await go();
        } finally {
          active.delete(account.id);
          log.push(`end ${account.id}`);
        }
        return { run: { status: 'succeeded' }, outage: false };
      },
    } as unknown as SyncService;
  };

  it('an account made due (syncSoon) while its run is under way here is not started a second time: the lease is ours, but the run is not an orphan', async () => {
    await db.query(`update ingestion.seller_accounts set sync_enabled = false`);
    const id = await insertSellerAccount(db, { sellerId: 'A2ORPHANBUSY1', syncIntervalSeconds: 600 });
    const log: string[] = [];
    let letGo!: () => void;
    const gate = new Promise<void>((resolve) => (letGo = resolve));
    scheduler = new SyncScheduler(db, heldSync(log, () => gate), settings);
    await scheduler.tick();
    expect(log).toEqual([`start ${id}`]);
    await syncSoon(db.manager, [id], new Date(), 0);
    const [due] = await db.query(`select lease_owner, next_sync_at <= now() as due from ingestion.seller_accounts where id = $1`, [id]);
    expect(due).toEqual({ lease_owner: scheduler.replica, due: true });
    await scheduler.tick();
    await scheduler.tick();
    expect(log).toEqual([`start ${id}`]);
    letGo();
    await waitFor(() => secondsToNextSync(id), { what: 'the lease released' });
    expect(log).toEqual([`start ${id}`, `end ${id}`]);
  });

  it('a release the database refused leaves an orphan lease that this replica takes again at its next tick, after the run ended: never two runs at once', async () => {
    await db.query(`update ingestion.seller_accounts set sync_enabled = false`);
    const id = await insertSellerAccount(db, { sellerId: 'A2ORPHANFAIL1', syncIntervalSeconds: 600 });
    // The release of this account fails as a lost connection does (SQLSTATE 08006), until the trigger goes.
    await db.query(`create or replace function ingestion.refuse_release() returns trigger language plpgsql as $$
      begin
        if old.id = '${id}'::uuid and old.lease_owner is not null and new.lease_owner is null then
          raise exception 'connection lost (test)' using errcode = '08006';
        end if;
        return new;
      end $$`);
    await db.query(`create trigger refuse_release before update on ingestion.seller_accounts for each row execute function ingestion.refuse_release()`);
    const log: string[] = [];
    const runsHere = () => (scheduler as unknown as { running: Map<string, unknown> }).running.size;
    let letGo!: () => void;
    const gate = new Promise<void>((resolve) => (letGo = resolve));
    scheduler = new SyncScheduler(db, heldSync(log, () => gate), settings);
    try {
      await scheduler.tick();
      // Ticks while the run is under way: nothing more starts.
      await scheduler.tick();
      await scheduler.tick();
      expect(log).toEqual([`start ${id}`]);
      letGo();
      await waitFor(() => runsHere() === 0 || undefined, { intervalMs: 20, what: 'the run to end and its release to fail' });
      expect(log).toEqual([`start ${id}`, `end ${id}`]);
      const [left] = await db.query(`select lease_owner, lease_expires_at > now() as held, next_sync_at <= now() as due from ingestion.seller_accounts where id = $1`, [id]);
      expect(left).toEqual({ lease_owner: scheduler.replica, held: true, due: true });
    } finally {
      await db.query(`drop trigger if exists refuse_release on ingestion.seller_accounts`);
      await db.query(`drop function if exists ingestion.refuse_release()`);
    }
    // The failed release kept the account due and the lease this replica's: the next tick takes it again.
    await waitFor(async () => {
      await scheduler!.tick();
      return log.length >= 3 || undefined;
    }, { intervalMs: 100, what: 'the orphan taken again' });
    await waitFor(() => secondsToNextSync(id), { what: 'the second run released' });
    expect(log).toEqual([`start ${id}`, `end ${id}`, `start ${id}`, `end ${id}`]);
  });

  it("a lease of this replica with no run of it here is taken again at once, not after the lease runs out; another replica's is not", async () => {
    const started: string[] = [];
    scheduler = new SyncScheduler(db, endingSync(started, ['succeeded']), settings);
    // Both leases run an hour yet (insertSellerAccount); the accounts are due.
    const orphan = await insertSellerAccount(db, { sellerId: 'A2ORPHAN00001', leaseOwner: scheduler.replica });
    const others = await insertSellerAccount(db, { sellerId: 'A2ORPHAN00002', leaseOwner: 'another-replica' });
    await scheduler.tick();
    expect(started).toEqual([orphan]);
    expect(await waitFor(() => secondsToNextSync(orphan), { what: 'the orphan released' })).toBeGreaterThan(3000);
    const [row] = await db.query(`select lease_owner from ingestion.seller_accounts where id = $1`, [others]);
    expect(row.lease_owner).toBe('another-replica');
  });
});
