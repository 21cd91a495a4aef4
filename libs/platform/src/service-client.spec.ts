import { IsString } from 'class-validator';
import { replyOf, requestContract } from '@connector/contracts';
import { defer, NEVER, of, throwError } from 'rxjs';
import { ServiceClient, ServiceError } from './rpc';

class Ask {
  @IsString() key: string;
}
const IDEMPOTENT = requestContract({ subject: 'test.resolve.v1', version: 1, payload: Ask, reply: replyOf<{ id: string }>(), idempotent: true });
const ONCE_ONLY = requestContract({ subject: 'test.create.v1', version: 1, payload: Ask, reply: replyOf<{ id: string }>() });

/** A proxy that answers each try from `answers` in turn (the last one from then on). */
const proxyAnswering = (answers: (() => ReturnType<ServiceClient['request']> | unknown)[]) => {
  let tries = 0;
  return {
    get tries() {
      return tries;
    },
    send: () => defer(() => answers[Math.min(tries++, answers.length - 1)]() as never),
    close: () => undefined,
  };
};
const fast = { baseMs: 5, maxMs: 20 };
const natsAway = () => throwError(() => 'Error: Connection lost. Trying to reconnect...');
const silent = () => NEVER;
const answered = () => of({ id: 'x1' });

describe('ServiceClient: an idempotent request is asked again while the other side is away', () => {
  it('asks an idempotent request again through a NATS reconnect and a silent service, and answers once one answers', async () => {
    const proxy = proxyAnswering([natsAway, silent, natsAway, answered]);
    const client = new ServiceClient(proxy as never, { retryForMs: 5000, backoff: fast });
    await expect(client.request(IDEMPOTENT, { key: 'k' }, 50)).resolves.toEqual({ id: 'x1' });
    expect(proxy.tries).toBe(4);
  });

  it('gives up after the time it may take, with a 503 that names the subject', async () => {
    const proxy = proxyAnswering([silent]);
    const client = new ServiceClient(proxy as never, { retryForMs: 300, backoff: fast });
    const started = Date.now();
    await expect(client.request(IDEMPOTENT, { key: 'k' }, 40)).rejects.toMatchObject({ body: { statusCode: 503, message: expect.stringContaining(IDEMPOTENT.subject) } });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(proxy.tries).toBeGreaterThan(1);
  });

  it('asks a request that is not idempotent once (NATS away is a 503 all the same)', async () => {
    const proxy = proxyAnswering([natsAway, answered]);
    const client = new ServiceClient(proxy as never, { retryForMs: 5000, backoff: fast });
    const failure = await client.request(ONCE_ONLY, { key: 'k' }).catch((err) => err);
    expect(failure).toBeInstanceOf(ServiceError);
    expect(failure.body).toMatchObject({ statusCode: 503, message: expect.stringMatching(/no answer to test\.create\.v1: the NATS connection is lost/) });
    expect(proxy.tries).toBe(1);
  });

  it('asks once when the call gives a retry budget of 0, even an idempotent request the service answered with a 503', async () => {
    const poolBusy = () => throwError(() => ({ statusCode: 503, error: 'Service Unavailable', message: 'cannot reach its database' }));
    const proxy = proxyAnswering([poolBusy, answered]);
    const client = new ServiceClient(proxy as never, { retryForMs: 5000, backoff: fast });
    await expect(client.request(IDEMPOTENT, { key: 'k' }, 50, 0)).rejects.toMatchObject({ body: { statusCode: 503 } });
    expect(proxy.tries).toBe(1);
  });

  it('does not ask again when the service refuses the request itself (400)', async () => {
    const proxy = proxyAnswering([() => throwError(() => ({ statusCode: 400, error: 'Bad Request', message: 'Validation failed' })), answered]);
    const client = new ServiceClient(proxy as never, { retryForMs: 5000, backoff: fast });
    await expect(client.request(IDEMPOTENT, { key: 'k' })).rejects.toMatchObject({ body: { statusCode: 400 } });
    expect(proxy.tries).toBe(1);
  });
});

describe('ServiceClient: the NATS server\'s max_payload', () => {
  it('is read from the connection the client made', async () => {
    let connected = false;
    const proxy = { ...proxyAnswering([answered]), connect: async () => void (connected = true), unwrap: () => (connected ? { info: { max_payload: 65_536 } } : undefined) };
    await expect(new ServiceClient(proxy as never).maxPayload()).resolves.toBe(65_536);
  });

  it('is NATS\'s default while the client cannot connect', async () => {
    const proxy = { ...proxyAnswering([answered]), connect: async () => Promise.reject(new Error('connection refused')), unwrap: () => ({}) };
    await expect(new ServiceClient(proxy as never).maxPayload()).resolves.toBe(1024 * 1024);
  });
});
