import { connect } from 'nats';
import { waitFor } from '@connector/local-system';
import { NatsServerProcess } from './nats-server';
import { freePort } from './test-environment';

/**
 * Three nats-server processes of a test's own, routed into one cluster with JetStream on each, so
 * a stream can keep three replicas and lose a node. Clients are given every node's URL; the
 * services take one (NATS_URL) and learn the others from the cluster's gossip.
 */
export class NatsCluster {
  private constructor(readonly nodes: NatsServerProcess[]) {}

  /** The first node's URL (what NATS_URL names). */
  get url(): string {
    return this.nodes[0].url;
  }

  get urls(): string[] {
    return this.nodes.map((node) => node.url);
  }

  static async start(size = 3, name = 'fault'): Promise<NatsCluster> {
    const clientPorts: number[] = [];
    const routePorts: number[] = [];
    for (let i = 0; i < size; i++) {
      clientPorts.push(await freePort());
      routePorts.push(await freePort());
    }
    const routes = routePorts.map((port) => `nats-route://127.0.0.1:${port}`);
    const nodes = await Promise.all(
      clientPorts.map((port, i) =>
        NatsServerProcess.start(`cluster: { name: ${JSON.stringify(name)}, host: 127.0.0.1, port: ${routePorts[i]}, routes: ${JSON.stringify(routes.filter((_, j) => j !== i))} }`, {
          port,
          name: `${name}-${i + 1}`,
        }),
      ),
    );
    const cluster = new NatsCluster(nodes);
    await cluster.waitForJetStream();
    return cluster;
  }

  /** Until the cluster has elected its JetStream meta leader (the API answers) with every node seen. */
  async waitForJetStream(timeoutMs = 30_000): Promise<void> {
    await waitFor(
      async () => {
        const nc = await connect({ servers: this.urls.filter((_, i) => this.nodes[i].running), timeout: 2000, reconnect: false });
        try {
          const jsm = await nc.jetstreamManager({ timeout: 2000 });
          const info = await jsm.getAccountInfo();
          return info ? true : undefined;
        } finally {
          await nc.close();
        }
      },
      { timeoutMs, intervalMs: 250, what: 'the NATS cluster to elect a JetStream leader' },
    );
  }

  /** The node that leads a stream (its server_name), or undefined while there is none. */
  async streamLeader(stream: string): Promise<NatsServerProcess | undefined> {
    const nc = await connect({ servers: this.urls.filter((_, i) => this.nodes[i].running), timeout: 2000, reconnect: false });
    try {
      const info = await (await nc.jetstreamManager()).streams.info(stream);
      const leader = info.cluster?.leader;
      return this.nodes.find((node) => node.name === leader);
    } finally {
      await nc.close();
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.stop()));
  }
}
