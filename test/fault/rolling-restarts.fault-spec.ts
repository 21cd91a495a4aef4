import { ServiceProcess } from '@connector/local-system';
import { freePort, RunningSystem } from '@connector/testing';
import { accountOf, clearAmazonFaults, expectHealed, FAULT_SETTINGS, sellerWithOrders, slowSearch, storedOrders, untilStored, validateDeliveries } from './support';

const ORDERS = 3000;
const CASE = '5 two replicas';
/** A service given SIGTERM exits by itself within its shutdown time (10 s by default); beyond this it is killed. */
const SHUTDOWN_LIMIT_MS = 12_000;

describe('fault 5: two replicas of every service, restarted one at a time with SIGTERM during sync and fulfilment', () => {
  const running = new RunningSystem();

  beforeAll(async () => {
    await running.start(FAULT_SETTINGS);
    const gatewayPort = String(await freePort());
    await Promise.all([
      ...(['order-ingestion', 'partner-resolution', 'inventory', 'amazon-notifications'] as const).map((name) => running.system.startReplica(name)),
      running.system.startReplica('gateway', { GATEWAY_PORT: gatewayPort }),
    ]);
  }, 240_000);
  afterAll(() => running.stop(), 60_000);

  // Two waves of stops (each up to 12 s) and starts, then the recovery.
  it('rolling SIGTERM restarts of all ten processes: each exits in time, every order once, every package confirmed once', async () => {
    const seller = await sellerWithOrders(running, 'A2FAULTROLLING', ORDERS);
    // A page a second: the sync lasts into the rolling restart.
    await slowSearch(running, seller.sellerId, 1000);
    await accountOf(running, seller);
    await untilStored(running, seller.sellerId, 200);

    // Fulfilment all along: deliveries validated while the processes come and go (a refused request is simply not counted).
    let fulfilling = true;
    let validated = 0;
    const fulfilment = (async () => {
      for (let round = 0; fulfilling; round++) {
        validated += await validateDeliveries(running, seller.sellerId, 5, `ROLL${round}`).catch(() => 0);
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    })();

    // Two waves: first every service's first replica, then its second; each service keeps one
    // replica serving throughout.
    const names = ['order-ingestion', 'partner-resolution', 'inventory', 'amazon-notifications', 'gateway'] as const;
    const waves: ServiceProcess[][] = [names.map((name) => running.system.process(name)), names.map((name) => running.system.replicas.find((replica) => replica.name === name)!)];
    const processes = waves.flat();
    const slowToStop: string[] = [];
    const exitSeconds: number[] = [];
    const storedAtFirstRestart = await storedOrders(running, seller.sellerId);
    try {
      for (const wave of waves) {
        await Promise.all(
          wave.map(async (process) => {
            const startedAt = Date.now();
            const exitedInTime = await process.stop('SIGTERM', SHUTDOWN_LIMIT_MS);
            exitSeconds.push((Date.now() - startedAt) / 1000);
            // NestJS re-raises the signal once its shutdown hooks are done: exit 0 or SIGTERM is a clean stop.
            const exit = await process.exit();
            if (!exitedInTime) slowToStop.push(`${process.name} (killed after ${Date.now() - startedAt} ms)`);
            else if (exit.code !== 0 && exit.signal !== 'SIGTERM') slowToStop.push(`${process.name} exited with ${exit.code ?? exit.signal}`);
            await process.start();
          }),
        );
      }
    } finally {
      fulfilling = false;
      await fulfilment;
    }
    await clearAmazonFaults(running);
    const restartedAt = Date.now();

    const fault = `rolling SIGTERM restart of ${processes.length} processes (slowest exit ${Math.max(...exitSeconds).toFixed(1)} s)`;
    const report = await expectHealed(running, { case: CASE, fault, faultsInjected: processes.length }, { sellerIds: [seller.sellerId] }, restartedAt);
    // The restarts began during the sync and the fulfilment, not after.
    expect(storedAtFirstRestart).toBeLessThan(report.stored);
    expect(validated).toBeGreaterThan(0);
    expect(report.validatedPackages).toBeGreaterThanOrEqual(validated);
    expect(slowToStop).toEqual([]);
  }, 300_000);
});
