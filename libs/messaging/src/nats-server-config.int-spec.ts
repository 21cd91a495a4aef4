import { connect, NatsConnection } from 'nats';
import { CONNECTOR_PROCESSES, ConnectorProcess, CREATE_ACCOUNT, GET_ACCOUNT_ACCESS, natsAccess, natsInboxPrefix, ORDER_CANCELED } from '@connector/contracts';
import { consumerPlan } from './consumer-plan';
import { streamNameFor } from './event-stream';
import { AckPolicy } from 'nats';
import { NatsServerProcess } from '@connector/test-environment';
import { natsServerConfig } from './nats-server-config';

const NAMESPACE = 'shop';
const passwords = Object.fromEntries(CONNECTOR_PROCESSES.map((p) => [p, `pw-${p}`])) as Record<ConnectorProcess, string>;

/** The generated configuration on a real nats-server: who may read, answer and publish what. */
describe('NATS permissions on a real nats-server', () => {
  let server: NatsServerProcess;
  const open: NatsConnection[] = [];
  const as = async (process: ConnectorProcess) => {
    const nc = await connect({ servers: server.url, user: process, pass: passwords[process], inboxPrefix: natsInboxPrefix(process) });
    open.push(nc);
    return nc;
  };
  /** Errors the server reported on a connection (permission violations arrive this way). */
  const errorsOf = (nc: NatsConnection) => {
    const errors: string[] = [];
    void (async () => {
      for await (const status of nc.status()) if (status.type === 'error') errors.push(String(status.data));
    })();
    return errors;
  };

  beforeAll(async () => {
    server = await NatsServerProcess.start(natsServerConfig({ namespace: NAMESPACE, passwords }));
  });
  afterAll(async () => {
    await Promise.all(open.map((nc) => nc.close().catch(() => undefined)));
    await server?.stop();
  });

  it('refuses a client with a wrong password, an unknown user or none', async () => {
    for (const options of [{ user: 'gateway', pass: 'wrong' }, { user: 'intruder', pass: 'x' }, {}]) {
      await expect(connect({ servers: server.url, ...options, reconnect: false })).rejects.toThrow(/Authorization Violation/i);
    }
  });

  it('lets only order-ingestion answer the credentials request, and only amazon-notifications ask it', async () => {
    const ingestion = await as('order-ingestion');
    ingestion.subscribe(`${NAMESPACE}.${GET_ACCOUNT_ACCESS.subject}`, { callback: (_err, msg) => msg.respond(new TextEncoder().encode('sealed')) });
    await ingestion.flush();
    const notifications = await as('amazon-notifications');
    const answer = await notifications.request(`${NAMESPACE}.${GET_ACCOUNT_ACCESS.subject}`, new Uint8Array(), { timeout: 2000 });
    expect(new TextDecoder().decode(answer.data)).toBe('sealed');

    // The gateway may not ask for credentials, and inventory may not pose as order-ingestion.
    const gateway = await as('gateway');
    const gatewayErrors = errorsOf(gateway);
    await expect(gateway.request(`${NAMESPACE}.${GET_ACCOUNT_ACCESS.subject}`, new Uint8Array(), { timeout: 1000 })).rejects.toThrow();
    const impostor = await as('inventory');
    const impostorErrors = errorsOf(impostor);
    const stolen: string[] = [];
    impostor.subscribe(`${NAMESPACE}.${GET_ACCOUNT_ACCESS.subject}`, { callback: (_err, msg) => stolen.push(msg.subject) });
    impostor.subscribe(`${NAMESPACE}.ingestion.>`, { callback: (_err, msg) => stolen.push(msg.subject) });
    impostor.subscribe('_INBOX.>', { callback: (_err, msg) => stolen.push(msg.subject) });
    await impostor.flush().catch(() => undefined);
    await notifications.request(`${NAMESPACE}.${GET_ACCOUNT_ACCESS.subject}`, new Uint8Array(), { timeout: 2000 });
    await gateway.request(`${NAMESPACE}.${CREATE_ACCOUNT.subject}`, new TextEncoder().encode('{}'), { timeout: 500 }).catch(() => undefined);
    await impostor.flush().catch(() => undefined);
    expect(stolen).toEqual([]);
    expect(impostorErrors).toContain('PERMISSIONS_VIOLATION');
    expect(gatewayErrors).toContain('PERMISSIONS_VIOLATION');
  });

  it('lets no one but its owner publish an event: a forged cancellation never reaches the stream', async () => {
    const ingestion = await as('order-ingestion');
    const jsm = await ingestion.jetstreamManager();
    await jsm.streams.add({ name: streamNameFor(NAMESPACE), subjects: [`${NAMESPACE}.events.>`] });
    const stored = async () => (await jsm.streams.info(streamNameFor(NAMESPACE))).state.messages;
    await ingestion.jetstream().publish(`${NAMESPACE}.events.${ORDER_CANCELED.subject}`, new TextEncoder().encode('{"real":true}'));
    expect(await stored()).toBe(1);

    for (const forger of ['gateway', 'inventory', 'partner-resolution', 'amazon-notifications'] as const) {
      const nc = await as(forger);
      const errors = errorsOf(nc);
      nc.publish(`${NAMESPACE}.events.${ORDER_CANCELED.subject}`, new TextEncoder().encode('{"forged":true}'));
      await nc.flush();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(errors).toContain('PERMISSIONS_VIOLATION');
    }
    expect(await stored()).toBe(1);
    // Nor may a service delete, purge or shrink the stream, or touch another service's consumer.
    const stream = streamNameFor(NAMESPACE);
    const [inventoryConsumer] = consumerPlan('inventory', `${NAMESPACE}.events.`, natsAccess('inventory').consumes);
    const inventory = await (await as('inventory')).jetstreamManager();
    await inventory.consumers.add(stream, { durable_name: inventoryConsumer.name, filter_subject: inventoryConsumer.filter, ack_policy: AckPolicy.Explicit });
    const partners = await (await as('partner-resolution')).jetstreamManager();
    await expect(partners.streams.purge(stream)).rejects.toThrow();
    await expect(partners.streams.delete(stream)).rejects.toThrow();
    await expect(partners.streams.update(stream, { max_msgs: 1 })).rejects.toThrow();
    await expect(partners.consumers.delete(stream, inventoryConsumer.name)).rejects.toThrow();
    await expect(partners.consumers.add(stream, { durable_name: 'spy', filter_subject: `${NAMESPACE}.events.>`, ack_policy: AckPolicy.Explicit })).rejects.toThrow();
    expect(await stored()).toBe(1);
    expect((await inventory.consumers.info(stream, inventoryConsumer.name)).name).toBe(inventoryConsumer.name);
    // Nor may the service that made it change it (say, add another service's inbox to its subjects).
    await expect(jsm.streams.update(stream, { subjects: [`${NAMESPACE}.events.>`, '_INBOX.gateway.>'] })).rejects.toThrow();
    // Nor make its own consumer read what it does not handle.
    await expect(inventory.consumers.add(stream, { durable_name: inventoryConsumer.name.replace('order', 'delivery'), filter_subject: `${NAMESPACE}.events.delivery.>`, ack_policy: AckPolicy.Explicit })).rejects.toThrow();
  });
});
