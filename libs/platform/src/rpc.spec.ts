import { Logger } from '@nestjs/common';
import { SERVICE_AWAY_MESSAGE, toRpcErrorBody } from './rpc';

describe('toRpcErrorBody: what a request handler that threw answers its caller', () => {
  it('its database away (the connection lost, a timeout, an SQLSTATE of an outage) is a 503 the caller waits out, not a 500', () => {
    for (const error of [
      new Error('Connection terminated due to connection timeout'),
      Object.assign(new Error('query failed'), { driverError: Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }) }),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    ]) {
      expect(toRpcErrorBody(error)).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
    }
  });

  it('the 503 says the request may have been done and how to retry it', () => {
    expect(toRpcErrorBody(Object.assign(new Error('Connection terminated unexpectedly'), {}))).toEqual({ statusCode: 503, error: 'Service Unavailable', message: SERVICE_AWAY_MESSAGE });
    expect(SERVICE_AWAY_MESSAGE).toMatch(/may have been done.*same Idempotency-Key after 2 minutes/);
  });

  it('admin shutdown (57P01-57P03), the pool connect timeout, a connection timed out, a NATS connection code or JetStream not answering, and a DNS failure of the moment are 503s', () => {
    for (const error of [
      Object.assign(new Error('the database system is shutting down'), { code: '57P03' }),
      Object.assign(new Error('terminating connection due to crash of another server process'), { code: '57P02' }),
      new Error('timeout exceeded when trying to connect'),
      new Error('Query read timeout'),
      Object.assign(new Error('CONNECTION_REFUSED'), { code: 'CONNECTION_REFUSED' }),
      Object.assign(new Error('getaddrinfo EAI_AGAIN db'), { code: 'EAI_AGAIN' }),
      Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
      // A connection TCP keepalive found dead, a connect the OS gave up on.
      Object.assign(new Error('read ETIMEDOUT'), { code: 'ETIMEDOUT' }),
      Object.assign(new Error('query failed'), { driverError: Object.assign(new Error('connect ETIMEDOUT 10.0.0.5:5432'), { code: 'ETIMEDOUT' }) }),
      // JetStream not answering a publish or a request made inside the handler.
      Object.assign(new Error('503'), { code: '503' }),
      Object.assign(new Error('TIMEOUT'), { code: 'TIMEOUT' }),
    ]) {
      expect(toRpcErrorBody(error).statusCode).toBe(503);
    }
  });

  it('a fault that is no outage stays a 500, logged as an error with its stack: a protocol violation, out of memory, a slow statement, a host name that does not resolve', () => {
    const faults = [
      Object.assign(new Error('query failed'), { driverError: Object.assign(new Error('bind message supplies 70000 parameters, but prepared statement "" requires 1'), { code: '08P01' }) }),
      Object.assign(new Error('out of memory'), { code: '53200' }),
      Object.assign(new Error('too many connections'), { code: '53300' }),
      Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }),
      Object.assign(new Error('deadlock detected'), { code: '40P01' }),
      Object.assign(new Error('getaddrinfo ENOTFOUND db.wrong'), { code: 'ENOTFOUND' }),
    ];
    for (const error of faults) {
      const logger = { warn: jest.fn(), error: jest.fn() };
      expect(toRpcErrorBody(error, logger as unknown as Logger)).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'The service failed to handle the request' });
      expect(logger.error).toHaveBeenCalledWith(error.stack);
      expect(logger.warn).not.toHaveBeenCalled();
    }
  });

  it("a fault of the handler's own is a 500 that says nothing of it", () => {
    const body = toRpcErrorBody(new TypeError("Cannot read properties of undefined (reading 'id')"));
    expect(body).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'The service failed to handle the request' });
  });
});
