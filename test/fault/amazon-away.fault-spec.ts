import { RunningSystem, waitFor } from '@connector/testing';
import { accountOf, expectHealed, FAULT_SETTINGS, sellerWithOrders } from './support';

const CASE = '10 Amazon away for one seller';
/** Short, so the ramp to the interval takes under a minute: ceilings 2, 4, 8, 16, 32 s, then the interval. */
const OUTAGE_RETRY_SECONDS = 2;
/** The shortest sync interval an account takes. */
const INTERVAL_SECONDS = 60;
const TICK_SECONDS = Number(FAULT_SETTINGS.SYNC_TICK_SECONDS);
/**
 * What a retry may come late beyond its ceiling and a tick on this shared, loaded machine: the
 * release statement after the run's end is written, the claim, the run's row. Never early: the
 * lower bound has only clock rounding (10 ms).
 */
const SLACK_SECONDS = 2;
const ROUNDING_SECONDS = 0.01;
/** Outage-cut runs of A before Amazon comes back for it: its wait then is under a 16 s ceiling. */
const A_OUTAGE_RUNS = 4;
/**
 * The SP-API client's retries of a 5xx within a run (SPAPI_RETRIES): none, so a run an outage cuts
 * short makes one call and ends at once. With the default 8 each such run would first spend about
 * 23 s on average (at most 46 s) of the client's back-off before the scheduler's wait.
 */
const CLIENT_RETRIES = 0;
/** Calls one run makes of a searchOrders Amazon refuses: the client's first try and its retries. */
const CLIENT_TRIES_PER_RUN = 1 + CLIENT_RETRIES;

/** The ceiling of the wait after the n-th outage-cut run in a row (SYNC_OUTAGE_RETRY_SECONDS doubled, capped at the interval). */
const ceiling = (n: number) => Math.min(INTERVAL_SECONDS, OUTAGE_RETRY_SECONDS * 2 ** (n - 1));
/** Outage-cut runs after which the retry would wait the whole interval: the run that drops a requested sync of an account with sync off. */
const RUNS_UNTIL_DROPPED = Math.ceil(Math.log2(INTERVAL_SECONDS / OUTAGE_RETRY_SECONDS)) + 1;

interface Run {
  status: string;
  startedAt: number;
  finishedAt: number | null;
}

describe('fault 10: Amazon away for one seller', () => {
  const running = new RunningSystem();

  beforeAll(() => running.start({ ...FAULT_SETTINGS, SYNC_OUTAGE_RETRY_SECONDS: String(OUTAGE_RETRY_SECONDS), SPAPI_RETRIES: String(CLIENT_RETRIES) }), 180_000);
  afterAll(() => running.stop(), 60_000);

  const runsOf = async (accountId: string): Promise<Run[]> =>
    (
      await running.env.query<{ status: string; started_at: Date; finished_at: Date | null }>(
        `select status, started_at, finished_at from ingestion.sync_runs where account_id = $1 and started_at is not null order by started_at`,
        [accountId],
      )
    ).map((r) => ({ status: r.status, startedAt: r.started_at.getTime(), finishedAt: r.finished_at?.getTime() ?? null }));
  const accountState = async (accountId: string) =>
    (
      await running.env.query<{ outage_runs: number; sync_requested_at: Date | null; lease_owner: string | null }>(
        `select outage_runs, sync_requested_at, lease_owner from ingestion.seller_accounts where id = $1`,
        [accountId],
      )
    )[0];
  const searchCalls = async (sellerId: string) =>
    ((await running.sandbox('GET', `/_sandbox/calls?sellerId=${sellerId}`)).body.operations.searchOrders ?? { received: 0, errors: 0 }) as { received: number; errors: number };
  const amazonAway = async (sellerId: string): Promise<number> => {
    const added = await running.sandbox('POST', '/_sandbox/faults', { operation: 'searchOrders', sellerId, status: 503 });
    expect(added.status).toBe(201);
    return added.body.rule.id as number;
  };

  /**
   * The waits between outage-cut runs in a row (the next start after the end), each within equal
   * jitter's bounds: never before half its ceiling, never past ceiling + tick + slack. The cap of
   * the ceiling at the interval shows in B's next_sync_at after its last run (below).
   */
  const expectRamp = (runs: Run[]): number[] => {
    const waits: number[] = [];
    const outOfBounds: string[] = [];
    for (let n = 1; n < runs.length; n++) {
      const wait = (runs[n].startedAt - runs[n - 1].finishedAt!) / 1000;
      waits.push(Math.round(wait * 100) / 100);
      const [low, high] = [ceiling(n) / 2 - ROUNDING_SECONDS, ceiling(n) + TICK_SECONDS + SLACK_SECONDS];
      if (wait < low || wait > high) outOfBounds.push(`wait ${n} ${wait} s outside [${low}, ${high}] (ceiling ${ceiling(n)} s)`);
    }
    expect(outOfBounds).toEqual([]);
    return waits;
  };

  it('retries come at growing jittered waits; a requested sync with sync off is dropped at the interval; A syncs within its ceiling once Amazon is back', async () => {
    const sellerA = await sellerWithOrders(running, 'A2FAULTAWAY0A', 300);
    const sellerB = await sellerWithOrders(running, 'A2FAULTAWAY0B', 20);
    const awayForA = await amazonAway(sellerA.sellerId);
    await amazonAway(sellerB.sellerId);

    // A syncs on its schedule (its first run at once); B has sync off and a sync asked for through the API.
    const accountA = await accountOf(running, sellerA, { syncIntervalSeconds: INTERVAL_SECONDS });
    const accountB = await accountOf(running, sellerB, { syncIntervalSeconds: INTERVAL_SECONDS, syncEnabled: false });
    expect((await running.api('POST', `/api/v1/accounts/${accountB}/sync`)).status).toBe(202);

    // A: A_OUTAGE_RUNS runs cut short, the last one ended, the account waiting for its retry (not leased).
    const failedA = await waitFor(
      async () => {
        const runs = await runsOf(accountA);
        const state = await accountState(accountA);
        return runs.length === A_OUTAGE_RUNS && runs.every((r) => r.status === 'failed') && state.outage_runs === A_OUTAGE_RUNS && state.lease_owner === null ? runs : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100, what: `${A_OUTAGE_RUNS} outage-cut runs of A` },
    );
    // Amazon back for A alone; B's outage goes on.
    expect((await running.sandbox('DELETE', `/_sandbox/faults/${awayForA}`)).status).toBe(200);
    const backForAAt = Date.now();
    const callsAAway = await searchCalls(sellerA.sellerId);
    const waitsA = expectRamp(failedA);
    // Nothing ran in between (the retry waits at least half of a 16 s ceiling).
    expect(await runsOf(accountA)).toHaveLength(A_OUTAGE_RUNS);
    expect(callsAAway.errors).toBe(callsAAway.received);
    expect(callsAAway.received).toBe(A_OUTAGE_RUNS * CLIENT_TRIES_PER_RUN);

    // A syncs within the ceiling of the wait it was in (+ tick and slack), every order there once.
    const syncedA = await waitFor(
      async () => (await runsOf(accountA)).find((r) => r.status === 'succeeded'),
      { timeoutMs: (ceiling(A_OUTAGE_RUNS) + TICK_SECONDS + SLACK_SECONDS) * 1000 + 30_000, intervalMs: 100, what: 'a successful run of A' },
    );
    const lastFailedA = failedA[A_OUTAGE_RUNS - 1];
    const retryWaitA = (syncedA.startedAt - lastFailedA.finishedAt!) / 1000;
    expect(retryWaitA).toBeGreaterThanOrEqual(ceiling(A_OUTAGE_RUNS) / 2 - ROUNDING_SECONDS);
    expect(retryWaitA).toBeLessThanOrEqual(ceiling(A_OUTAGE_RUNS) + TICK_SECONDS + SLACK_SECONDS);
    expect((await runsOf(accountA)).length).toBe(A_OUTAGE_RUNS + 1);
    // Faults injected: A's 503s (fixed; B's so far would depend on its jitter, and its outage goes on).
    const faultsInjected = callsAAway.errors;
    const report = await expectHealed(
      running,
      { case: CASE, fault: `searchOrders 503 for 2 sellers (A's counted): A (sync on) ${A_OUTAGE_RUNS} runs, B (sync off, requested) until dropped`, faultsInjected },
      { sellerIds: [sellerA.sellerId] },
      backForAAt,
    );
    expect(report.stored).toBeGreaterThan(0);
    expect((await accountState(accountA)).outage_runs).toBe(0);

    // B: its request tried again through the ramp, dropped by the run after which the retry would wait the interval.
    const runsB = await waitFor(
      async () => {
        const runs = await runsOf(accountB);
        const state = await accountState(accountB);
        return state.sync_requested_at === null && state.lease_owner === null && runs.length > 0 && runs.every((r) => r.finishedAt !== null) ? runs : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 100, what: "B's request dropped" },
    );
    const droppedAt = Date.now();
    const callsBAtDrop = await searchCalls(sellerB.sellerId);
    expect(runsB.map((r) => r.status)).toEqual(Array(RUNS_UNTIL_DROPPED).fill('failed'));
    expect(ceiling(RUNS_UNTIL_DROPPED)).toBe(INTERVAL_SECONDS);
    const waitsB = expectRamp(runsB);
    // At the cap the wait is the interval itself, never longer: B's next sync (should it be turned on) one interval after its last run.
    const [{ next_sync_at: nextB }] = await running.env.query<{ next_sync_at: Date }>(`select next_sync_at from ingestion.seller_accounts where id = $1`, [accountB]);
    const capWaitB = (nextB.getTime() - runsB[RUNS_UNTIL_DROPPED - 1].finishedAt!) / 1000;
    expect(capWaitB).toBeGreaterThanOrEqual(INTERVAL_SECONDS - ROUNDING_SECONDS);
    expect(capWaitB).toBeLessThanOrEqual(INTERVAL_SECONDS + SLACK_SECONDS);
    expect(callsBAtDrop.errors).toBe(callsBAtDrop.received);
    expect(callsBAtDrop.received).toBe(RUNS_UNTIL_DROPPED * CLIENT_TRIES_PER_RUN);
    // A guard, not a proof: the scheduler never claims an account with sync off and no request, and a
    // kept request would already have failed "B's request dropped". It ticks on (its heartbeat, several
    // ticks past the drop) and leaves B alone.
    await waitFor(
      async () => {
        const [{ seen }] = await running.env.query<{ seen: Date | null }>(`select max(seen_at) as seen from ingestion.sync_replicas`);
        return seen && seen.getTime() > droppedAt + 4 * TICK_SECONDS * 1000 ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 100, what: 'scheduler ticks after the drop' },
    );
    expect(await searchCalls(sellerB.sellerId)).toEqual(callsBAtDrop);
    expect(await runsOf(accountB)).toHaveLength(RUNS_UNTIL_DROPPED);

    console.log(
      `${CASE}: A waits ${waitsA.join(', ')} s, synced ${retryWaitA.toFixed(2)} s after its last outage run (ceiling ${ceiling(A_OUTAGE_RUNS)} s), ` +
        `${(syncedA.startedAt - backForAAt) / 1000} s after Amazon came back; B waits ${waitsB.join(', ')} s, dropped after ${RUNS_UNTIL_DROPPED} runs ` +
        `(${callsBAtDrop.received} calls), next sync ${capWaitB.toFixed(2)} s after its last run`,
    );
  });
});
