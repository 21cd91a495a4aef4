import { connect, NatsConnection } from 'nats';
import { streamNameFor } from '@connector/messaging';
import { InvariantChecker, NatsServerProcess, RunningSystem, waitFor } from '@connector/testing';
import { accountOf, clearAmazonFaults, expectHealed, FAULT_SETTINGS, sellerWithOrders, slowSearch, storedOrders, untilStored, validateDeliveries } from './support';

const ORDERS = 1500;
const CASE = '2 NATS';

describe('fault 2: NATS killed and restarted, the event stream deleted, each consumer deleted', () => {
  let nats: NatsServerProcess;
  let running: RunningSystem;
  const withNats = async <T>(work: (nc: NatsConnection) => Promise<T>): Promise<T> => {
    const nc = await connect({ servers: nats.url });
    try {
      return await work(nc);
    } finally {
      await nc.close();
    }
  };

  beforeAll(async () => {
    nats = await NatsServerProcess.start('');
    running = new RunningSystem({ natsUrl: nats.url });
    await running.start(FAULT_SETTINGS);
  }, 180_000);
  afterAll(async () => {
    await running?.stop();
    await nats?.stop();
  }, 60_000);

  it('nats-server killed (-9) mid-sync and restarted: the next runs finish, every order once', async () => {
    const seller = await sellerWithOrders(running, 'A2FAULTNATS001', ORDERS);
    await slowSearch(running, seller.sellerId, 800);
    await accountOf(running, seller);
    await untilStored(running, seller.sellerId, ORDERS / 5);
    await validateDeliveries(running, seller.sellerId, 20, 'NATSKILL');
    const storedAtKill = await storedOrders(running, seller.sellerId);

    await nats.kill();
    // Down until the services see it (health cannot answer without NATS), then back on the same port and store.
    await waitFor(async () => (await new InvariantChecker(running).health()).status !== 200, { timeoutMs: 30_000, what: 'health to see NATS gone' });
    await nats.restart();
    await clearAmazonFaults(running);
    const restartedAt = Date.now();

    const report = await expectHealed(running, { case: CASE, fault: 'kill -9 nats-server, restart', faultsInjected: 1 }, { sellerIds: [seller.sellerId] }, restartedAt);
    expect(storedAtKill).toBeLessThan(report.stored);
  });

  it('every durable consumer deleted mid-sync: made again from where it stood, no event skipped', async () => {
    const seller = await sellerWithOrders(running, 'A2FAULTNATS003', ORDERS);
    await slowSearch(running, seller.sellerId, 800);
    await accountOf(running, seller);
    await untilStored(running, seller.sellerId, ORDERS / 5);
    const deleted = await withNats(async (nc) => {
      const jsm = await nc.jetstreamManager();
      const stream = streamNameFor(running.env.namespace);
      const names: string[] = [];
      for await (const consumer of jsm.consumers.list(stream)) names.push(consumer.name);
      // nats-server before 2.12 can refuse a consumer delete with "unlinkat …: directory not empty" while the
      // consumer writes its state (nats-io/nats-server#7886); asked again, it goes. Gone already counts as deleted.
      for (const name of names)
        await waitFor(
          () =>
            jsm.consumers.delete(stream, name).catch((err: Error) => {
              if (/consumer not found/i.test(err.message)) return true;
              throw err;
            }),
          { timeoutMs: 10_000, intervalMs: 100, what: `consumer ${name} deleted` },
        );
      return names;
    });
    expect(deleted.length).toBeGreaterThanOrEqual(3);
    await validateDeliveries(running, seller.sellerId, 20, 'NATSCONSUMER');
    await clearAmazonFaults(running);
    const deletedAt = Date.now();
    await expectHealed(running, { case: CASE, fault: `each consumer deleted (${deleted.length})`, faultsInjected: deleted.length }, { sellerIds: [seller.sellerId] }, deletedAt);
  });

  it('the event stream deleted: made again, the events of the next sync all arrive', async () => {
    await withNats(async (nc) => (await nc.jetstreamManager()).streams.delete(streamNameFor(running.env.namespace)));
    const deletedAt = Date.now();
    const seller = await sellerWithOrders(running, 'A2FAULTNATS002', ORDERS);
    await accountOf(running, seller);
    await untilStored(running, seller.sellerId, ORDERS / 5);
    await validateDeliveries(running, seller.sellerId, 20, 'NATSSTREAM');
    await expectHealed(running, { case: CASE, fault: 'event stream deleted', faultsInjected: 1 }, { sellerIds: [seller.sellerId] }, deletedAt);
  });
});
