import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { Logger } from '@nestjs/common';
import { NatsRecord } from '@nestjs/microservices';
import { of } from 'rxjs';
import { IsString } from 'class-validator';
import { QueryFailedError } from 'typeorm';
import { replyOf, requestContract } from '@connector/contracts';
import { CORRELATION_ID_HEADER, inNewWorkContext, inWorkContext, workContext } from '@connector/workers';
import { ServiceClient } from '../rpc';
import { waitFor } from '@connector/test-environment';
import { accessLogMiddleware, correlationMiddleware } from './http-logging';
import { createRootLogger, nestLoggerOf } from './logger';

/** A logger whose lines are kept, parsed. */
function capture(level = 'log') {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const root = createRootLogger({ service: 'test-service', level, destination });
  return { root, lines, nest: nestLoggerOf(root) };
}

describe('log lines', () => {
  it('are JSON with time, level, service, context and message, and the work context of the work under way', () => {
    const { nest, lines } = capture();
    inWorkContext({ correlationId: 'run-1', accountId: 'account-1' }, () => {
      nest.log('a page committed', 'SyncService');
      inWorkContext({ amazonOrderId: '111-2222222-3333333' }, () => nest.warn('an order quarantined', 'QuarantineStore'));
    });
    nest.log('outside any work', 'Boot');
    expect(lines).toEqual([
      { level: 'info', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), service: 'test-service', context: 'SyncService', msg: 'a page committed', correlationId: 'run-1', accountId: 'account-1' },
      {
        level: 'warn',
        time: expect.any(String),
        service: 'test-service',
        context: 'QuarantineStore',
        msg: 'an order quarantined',
        correlationId: 'run-1',
        accountId: 'account-1',
        amazonOrderId: '111-2222222-3333333',
      },
      { level: 'info', time: expect.any(String), service: 'test-service', context: 'Boot', msg: 'outside any work' },
    ]);
  });

  it('take fields given with the message over the context, once each', () => {
    const { nest, lines } = capture();
    inWorkContext({ correlationId: 'run-1', amazonOrderId: 'from-context' }, () => nest.log({ msg: 'sales order created', amazonOrderId: 'given' }, 'Writer'));
    expect(lines[0]).toMatchObject({ msg: 'sales order created', amazonOrderId: 'given', correlationId: 'run-1' });
  });

  it('keep to LOG_LEVEL (Nest names: verbose is trace, log is info)', () => {
    const { nest, lines } = capture('warn');
    nest.log('not written', 'X');
    nest.warn('written', 'X');
    nest.error('also written', 'X');
    expect(lines.map((line) => [line.level, line.msg])).toEqual([
      ['warn', 'written'],
      ['error', 'also written'],
    ]);
  });

  it('never hold a secret or a buyer field of a logged object, however deep', () => {
    const { root, lines } = capture();
    root.info(
      {
        headers: { authorization: 'Bearer demo-key' },
        req: { headers: { authorization: 'Bearer demo-key', cookie: 'session=1' } },
        account: { id: 'account-1', refreshToken: 'Atzr|refresh', clientSecret: 'amzn1.secret', credentials: { password: 'p' } },
        order: { amazonOrderId: '111', buyer: { name: 'Jane Buyer', email: 'jane@example.com' }, shippingAddress: { name: 'Jane Buyer', addressLine1: '1 Main St' } },
        party: { email: 'jane@example.com', phone: '+1 555', name: 'Jane Buyer', giftMessage: 'Happy birthday Jane' },
        apiKey: 'demo-key',
      },
      'an object logged by mistake',
    );
    const text = JSON.stringify(lines[0]);
    for (const secret of ['demo-key', 'Atzr|refresh', 'amzn1.secret', 'session=1', 'Jane Buyer', 'jane@example.com', '+1 555', '1 Main St', 'Happy birthday']) {
      expect(text).not.toContain(secret);
    }
    // What is not personal stays readable.
    expect(lines[0]).toMatchObject({ account: { id: 'account-1', refreshToken: '[redacted]' }, order: { amazonOrderId: '111', buyer: '[redacted]' } });
  });

  it('report an error with its stack, as Nest hands it over', () => {
    const { nest, lines } = capture();
    const err = new Error('the broker went away');
    nest.error('a relay pass failed', err.stack, 'OutboxRelay');
    expect(lines[0]).toMatchObject({ level: 'error', context: 'OutboxRelay', err: { message: 'a relay pass failed', stack: expect.stringContaining('the broker went away') } });
  });

  it("never hold a database error's query, parameters, detail or where (buyer values), however the error is logged", () => {
    const { root, nest, lines } = capture();
    const driverError = Object.assign(new Error('duplicate key value violates unique constraint "buyers_email_key"'), {
      code: '23505',
      detail: 'Key (email)=(jane@example.com) already exists.',
      where: 'SQL statement "insert into buyers values (\'Jane Buyer\')"',
    });
    const err = new QueryFailedError('insert into buyers (name, email) values ($1, $2)', ['Jane Buyer', 'jane@example.com'], driverError);
    // As Nest's exception filters log it (the object itself), and as code logs it under `err`.
    nest.error(err);
    root.error({ err }, 'insert failed');
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      const text = JSON.stringify(line);
      for (const value of ['Jane Buyer', 'jane@example.com', 'insert into buyers', 'parameters', 'detail', 'where']) expect(text).not.toContain(value);
      // What tells people what went wrong stays.
      expect(line.err).toMatchObject({ type: 'QueryFailedError', message: expect.stringContaining('duplicate key'), stack: expect.any(String), code: '23505' });
    }
  });

  it('of every `new Logger(context)` go through it once it is the override', () => {
    const { nest, lines } = capture();
    Logger.overrideLogger(nest);
    try {
      inWorkContext({ correlationId: 'c-9' }, () => new Logger('Somewhere').log('said'));
    } finally {
      Logger.overrideLogger(false);
    }
    expect(lines).toEqual([expect.objectContaining({ context: 'Somewhere', msg: 'said', correlationId: 'c-9' })]);
  });
});

describe('the work context', () => {
  it('follows the work through awaits, adds to what it is in, and a new one starts empty', async () => {
    await inWorkContext({ correlationId: 'c-1' }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(workContext()).toEqual({ correlationId: 'c-1' });
      await inWorkContext({ accountId: 'a-1', amazonOrderId: undefined }, async () => {
        await Promise.resolve();
        expect(workContext()).toEqual({ correlationId: 'c-1', accountId: 'a-1' });
      });
      inNewWorkContext({ amazonOrderId: 'o-1' }, () => expect(workContext()).toEqual({ amazonOrderId: 'o-1' }));
      expect(workContext()).toEqual({ correlationId: 'c-1' });
    });
    expect(workContext()).toEqual({});
  });
});

class Ask {
  @IsString() key: string;
}
const ASK = requestContract({ subject: 'test.ask.v1', version: 1, payload: Ask, reply: replyOf<{ ok: boolean }>() });

describe('ServiceClient', () => {
  it("sends the correlation id of the work under way as the request's X-Correlation-Id header, and none outside any work", async () => {
    const sent: unknown[] = [];
    const client = new ServiceClient({ send: (_subject: string, payload: unknown) => (sent.push(payload), of({ ok: true })) as never, close: () => undefined });
    await inWorkContext({ correlationId: 'request-7' }, () => client.request(ASK, { key: 'k' }));
    await client.request(ASK, { key: 'k' });
    expect(sent[0]).toBeInstanceOf(NatsRecord);
    const record = sent[0] as NatsRecord<Ask, { get(name: string): string }>;
    expect(record.data).toEqual({ key: 'k' });
    expect(record.headers!.get(CORRELATION_ID_HEADER)).toBe('request-7');
    expect(sent[1]).toEqual({ key: 'k' });
  });
});

describe('HTTP requests', () => {
  /** A server that runs the two middlewares as the services do, then answers (logging a line of its own). */
  async function serve(level = 'log') {
    const { root, lines, nest } = capture(level);
    const correlation = correlationMiddleware();
    const access = accessLogMiddleware(root);
    const server = createServer((req, res) =>
      correlation(req, res, () =>
        access(req, res, () => {
          nest.log('handling it', 'Handler');
          res.statusCode = req.url?.startsWith('/missing') ? 404 : 200;
          res.end('{}');
        }),
      ),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { url, lines, close: () => new Promise((resolve) => server.close(resolve)) };
  }

  it("take the caller's correlation id (or make one), answer it, and write one access line without the query string", async () => {
    const { url, lines, close } = await serve();
    try {
      const given = await fetch(`${url}/api/v1/partners?search=Jane%20Buyer`, { headers: { 'x-correlation-id': 'caller-1', authorization: 'Bearer demo-key' } });
      expect(given.headers.get('x-correlation-id')).toBe('caller-1');
      const made = await fetch(`${url}/missing?email=jane@example.com`, { headers: { 'x-correlation-id': 'not a token!' } });
      const madeId = made.headers.get('x-correlation-id');
      expect(madeId).toMatch(/^[0-9a-f-]{36}$/);
      await waitFor(() => lines.filter((line) => line.context === 'HTTP').length === 2, { what: 'two access lines' });
      expect(lines.find((line) => line.context === 'Handler')).toMatchObject({ correlationId: 'caller-1' });
      const [first, second] = lines.filter((line) => line.context === 'HTTP');
      expect(first).toMatchObject({ level: 'info', correlationId: 'caller-1', method: 'GET', path: '/api/v1/partners', status: 200, durationMs: expect.any(Number) });
      expect(second).toMatchObject({ level: 'warn', correlationId: madeId, path: '/missing', status: 404 });
      const text = JSON.stringify(lines);
      for (const secret of ['Jane', 'jane@example.com', 'demo-key']) expect(text).not.toContain(secret);
    } finally {
      await close();
    }
  });

  it('write the answers to health probes and metrics scrapes at debug only', async () => {
    const { url, lines, close } = await serve();
    try {
      await fetch(`${url}/health/live`);
      await fetch(`${url}/api/v1/orders`);
      await waitFor(() => lines.some((line) => line.path === '/api/v1/orders'), { what: 'the access line' });
      expect(lines.filter((line) => line.context === 'HTTP').map((line) => line.path)).toEqual(['/api/v1/orders']);
    } finally {
      await close();
    }
  });
});
