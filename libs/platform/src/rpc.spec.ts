import { toRpcErrorBody } from './rpc';

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

  it("a fault of the handler's own is a 500 that says nothing of it", () => {
    const body = toRpcErrorBody(new TypeError("Cannot read properties of undefined (reading 'id')"));
    expect(body).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'The service failed to handle the request' });
  });
});
