import { connect, NatsConnection } from 'nats';
import { DELETE_ACCOUNT } from '@connector/contracts';
import { NATS_URL, NatsServerProcess } from '@connector/test-environment';
import { inWorkContext, workContext } from '@connector/workers';
import { NamespacedNatsClient, NamespacedNatsServer } from './namespaced-nats';
import { ServiceClient } from './rpc';

/**
 * NATS checks who publishes, not who delivers: a JetStream consumer can be made to deliver to a
 * request subject. Handlers answer only what comes with an answer address in a caller's inbox.
 */
describe('NamespacedNatsServer on real NATS: answers only the inboxes of those allowed to ask', () => {
  const namespace = `t${Date.now()}${Math.floor(Math.random() * 1e6)}`;
  let server: NamespacedNatsServer;
  let nc: NatsConnection;
  const handled: unknown[] = [];
  /** The correlation id each request was handled under. */
  const correlationIds: (string | undefined)[] = [];

  beforeAll(async () => {
    server = new NamespacedNatsServer(namespace, { servers: NATS_URL, queue: 'order-ingestion' });
    server.addHandler(DELETE_ACCOUNT.subject, async (data: unknown) => {
      handled.push(data);
      correlationIds.push(workContext().correlationId);
      return { deleted: true };
    });
    await new Promise<void>((resolve, reject) => {
      server.listen((err?: unknown) => (err ? reject(err) : resolve())).catch(reject);
    });
    nc = await connect({ servers: NATS_URL });
  });
  afterAll(async () => {
    await nc?.close();
    await server?.close();
  });

  const packet = (id: string) => new TextEncoder().encode(JSON.stringify({ pattern: DELETE_ACCOUNT.subject, id, data: { id } }));

  it("answers a request from the gateway's inbox, and drops one delivered with any other answer address", async () => {
    const answer = await nc.request(`${namespace}.${DELETE_ACCOUNT.subject}`, packet('asked'), { timeout: 5000, noMux: true, reply: `_INBOX.gateway.${Date.now()}` });
    expect(JSON.parse(new TextDecoder().decode(answer.data))).toMatchObject({ response: { deleted: true } });
    for (const reply of ['$JS.ACK.S_EVENTS.inventory--order_all--packs.1.2.3.4.0', `_INBOX.inventory.${Date.now()}`, undefined]) {
      nc.publish(`${namespace}.${DELETE_ACCOUNT.subject}`, packet(`injected via ${reply}`), reply ? { reply } : {});
    }
    await nc.flush();
    await nc.request(`${namespace}.${DELETE_ACCOUNT.subject}`, packet('asked again'), { timeout: 5000, noMux: true, reply: `_INBOX.gateway.${Date.now()}2` });
    expect(handled).toEqual([{ id: 'asked' }, { id: 'asked again' }]);
  });

  it("a request carries its caller's correlation id as a NATS header: the handler runs under it; one without gets an id of its own", async () => {
    const client = new ServiceClient(new NamespacedNatsClient(namespace, { servers: NATS_URL, inboxPrefix: '_INBOX.gateway' }));
    try {
      correlationIds.length = 0;
      await inWorkContext({ correlationId: 'request-42' }, () => client.request(DELETE_ACCOUNT, { id: 'correlated' }));
      await client.request(DELETE_ACCOUNT, { id: 'uncorrelated' });
      expect(correlationIds[0]).toBe('request-42');
      expect(correlationIds[1]).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await client.close();
    }
  });
  it("tells the server's max_payload, as the server said it on connecting (the import's size check uses it)", async () => {
    // A server of its own with a max_payload below NATS's default, which a fallback would not tell.
    const small = await NatsServerProcess.start('max_payload: 65536');
    const client = new ServiceClient(new NamespacedNatsClient(namespace, { servers: small.url, inboxPrefix: '_INBOX.gateway' }));
    try {
      await expect(client.maxPayload()).resolves.toBe(65_536);
    } finally {
      await client.close();
      await small.stop();
    }
  });
});
