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
    for (const name of ['order-ingestion', 'partner-resolution', 'inventory', 'amazon-notifications'] as const) await running.system.startReplica(name);
    await running.system.startReplica('gateway', { GATEWAY_PORT: String(await freePort()) });
  }, 240_000);
  afterAll(() => running.stop(), 60_000);

  it('rolling SIGTERM restarts of all ten processes: each exits in time, every order once, every package confirmed once', async () => {
    const seller = await sellerWithOrders(running, 'A2FAULTROLLING', ORDERS);
    // A page a second: the sync outlasts the rolling restart of ten processes.
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

    const processes: ServiceProcess[] = [];
    for (const name of ['order-ingestion', 'partner-resolution', 'inventory', 'amazon-notifications', 'gateway'] as const) {
      processes.push(running.system.process(name), ...running.system.replicas.filter((replica) => replica.name === name));
    }
    const slowToStop: string[] = [];
    for (const process of processes) {
      const startedAt = Date.now();
      if (!(await process.stop('SIGTERM', SHUTDOWN_LIMIT_MS))) slowToStop.push(`${process.name} (killed after ${Date.now() - startedAt} ms)`);
      else if (process.lastExit?.code !== 0) slowToStop.push(`${process.name} exited with ${process.lastExit?.code ?? process.lastExit?.signal}`);
      await process.start();
    }
    const storedAtEnd = await storedOrders(running, seller.sellerId);
    fulfilling = false;
    await fulfilment;
    await clearAmazonFaults(running);
    const restartedAt = Date.now();

    const report = await expectHealed(running, { case: CASE, fault: `rolling SIGTERM restart of ${processes.length} processes`, faultsInjected: processes.length }, { sellerIds: [seller.sellerId] }, restartedAt);
    // The restarts happened during the sync and the fulfilment, not after.
    expect(storedAtEnd).toBeLessThan(report.stored);
    expect(validated).toBeGreaterThan(0);
    expect(report.validatedPackages).toBeGreaterThanOrEqual(validated);
    expect(slowToStop).toEqual([]);
  });
});
