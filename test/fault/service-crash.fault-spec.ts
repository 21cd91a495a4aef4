import { ProcessName } from '@connector/local-system';
import { RunningSystem } from '@connector/testing';
import { accountOf, clearAmazonFaults, expectHealed, FAULT_SETTINGS, sellerWithOrders, slowSearch, storedOrders, untilStored, validateDeliveries } from './support';

/** Orders per kill: the sync of each is struck a third of the way through. */
const ORDERS = 1500;
const CASE = '1 service crash';

describe('fault 1: kill -9 each service in turn during a sync of thousands of orders, then restart it', () => {
  const running = new RunningSystem();

  beforeAll(() => running.start(FAULT_SETTINGS), 180_000);
  afterAll(() => running.stop(), 60_000);

  const services: ProcessName[] = ['order-ingestion', 'partner-resolution', 'inventory', 'amazon-notifications', 'gateway'];
  for (const [i, service] of services.entries()) {
    it(`${service} killed mid-sync and restarted: every order once, nothing parked, outboxes drained, health green`, async () => {
      const seller = await sellerWithOrders(running, `A2FAULTKILL${String(i).padStart(3, '0')}`, ORDERS);
      // Amazon answers each page in 800 ms, so the sync takes seconds and the kill lands inside it.
      await slowSearch(running, seller.sellerId, 800);
      await accountOf(running, seller);
      await untilStored(running, seller.sellerId, ORDERS / 5);
      // Shipment confirmations in flight too, for amazon-notifications (and everyone) to be killed during.
      await validateDeliveries(running, seller.sellerId, 20, `KILL${i}`);

      const storedAtKill = await storedOrders(running, seller.sellerId);
      await running.system.process(service).stop('SIGKILL');
      await running.system.process(service).start();
      await clearAmazonFaults(running);
      const restartedAt = Date.now();

      const report = await expectHealed(running, { case: CASE, fault: `kill -9 ${service}`, faultsInjected: 1 }, { sellerIds: [seller.sellerId] }, restartedAt);
      // The kill landed inside the sync, not after it.
      expect(storedAtKill).toBeLessThan(report.stored);
    });
  }
});
