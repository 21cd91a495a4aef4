import { connect } from 'nats';
import { streamNameFor } from '@connector/messaging';
import { NatsCluster, RunningSystem } from '@connector/testing';
import { accountOf, clearAmazonFaults, expectHealed, FAULT_SETTINGS, sellerWithOrders, slowSearch, storedOrders, untilStored, validateDeliveries } from './support';

const ORDERS = 2000;
const CASE = '4 NATS cluster';

describe('fault 4: a three-node NATS cluster with the stream at three replicas, one node killed mid-sync', () => {
  let cluster: NatsCluster;
  let running: RunningSystem;

  beforeAll(async () => {
    cluster = await NatsCluster.start(3);
    running = new RunningSystem({ natsUrl: cluster.url });
    await running.start({ ...FAULT_SETTINGS, NATS_STREAM_REPLICAS: '3' });
  }, 240_000);
  afterAll(async () => {
    await running?.stop();
    await cluster?.stop();
  }, 60_000);

  it('the stream leader killed (-9) mid-sync: the other two carry on, every order once, nothing parked', async () => {
    const stream = streamNameFor(running.env.namespace);
    const nc = await connect({ servers: cluster.urls });
    try {
      expect((await (await nc.jetstreamManager()).streams.info(stream)).config.num_replicas).toBe(3);
    } finally {
      await nc.close();
    }
    const seller = await sellerWithOrders(running, 'A2FAULTCLUSTER', ORDERS);
    await slowSearch(running, seller.sellerId, 800);
    await accountOf(running, seller);
    await untilStored(running, seller.sellerId, ORDERS / 5);
    await validateDeliveries(running, seller.sellerId, 20, 'CLUSTER');
    const leader = await cluster.streamLeader(stream);
    expect(leader).toBeDefined();
    const storedAtKill = await storedOrders(running, seller.sellerId);

    await leader!.kill();
    await clearAmazonFaults(running);
    const killedAt = Date.now();

    const report = await expectHealed(running, { case: CASE, fault: `stream leader (${leader!.name}) killed -9`, faultsInjected: 1 }, { sellerIds: [seller.sellerId] }, killedAt);
    expect(storedAtKill).toBeLessThan(report.stored);
  });
});
