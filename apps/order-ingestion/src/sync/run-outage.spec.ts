import { SpApiError } from '@connector/sp-api';
import { isRunOutage } from './sync.service';

describe('isRunOutage: a run failed by a dependency away is tried again after the outage back-off, not an interval later', () => {
  it("counts Amazon's network failing (status 0) and Amazon unavailable (503, 504), as it counts PostgreSQL or NATS away", () => {
    expect(isRunOutage(new SpApiError('searchOrders', 0, 'NetworkError', 'ECONNRESET'))).toBe(true);
    expect(isRunOutage(new SpApiError('lwaToken', 0, 'NetworkError', 'ECONNREFUSED'))).toBe(true);
    expect(isRunOutage(new SpApiError('searchOrders', 503, 'ServiceUnavailable', 'try later'))).toBe(true);
    expect(isRunOutage(new SpApiError('searchOrders', 504, 'HTTP504', 'gateway timeout'))).toBe(true);
    expect(isRunOutage(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(true);
  });

  it("does not count Amazon refusing the request, its quota, a 500 of Amazon's, or a fault of the run's own", () => {
    expect(isRunOutage(new SpApiError('searchOrders', 400, 'InvalidInput', 'bad marketplace'))).toBe(false);
    expect(isRunOutage(new SpApiError('lwaToken', 400, 'invalid_grant', 'refresh token revoked'))).toBe(false);
    expect(isRunOutage(new SpApiError('searchOrders', 429, 'QuotaExceeded', 'slow down'))).toBe(false);
    expect(isRunOutage(new SpApiError('searchOrders', 500, 'InternalFailure', 'failed'))).toBe(false);
    expect(isRunOutage(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false);
  });

  it('counts status 0 only for a connection lost or refused, not a request timing out, a name that does not resolve or a certificate refused (each repeats on every try)', () => {
    for (const code of ['ETIMEDOUT', 'EAI_AGAIN', 'UND_ERR_SOCKET']) expect(isRunOutage(new SpApiError('searchOrders', 0, 'NetworkError', code))).toBe(true);
    expect(isRunOutage(new SpApiError('searchOrders', 0, 'NetworkError', 'The operation was aborted due to timeout'))).toBe(false);
    expect(isRunOutage(new SpApiError('searchOrders', 0, 'NetworkError', 'ENOTFOUND'))).toBe(false);
    expect(isRunOutage(new SpApiError('lwaToken', 0, 'NetworkError', 'CERT_HAS_EXPIRED'))).toBe(false);
    expect(isRunOutage(new SpApiError('searchOrders', 0, 'NetworkError', 'fetch failed'))).toBe(false);
  });

  it("counts a connection to PostgreSQL or NATS lost and a service not answering, but not a statement timeout or a protocol violation of the run's own", () => {
    expect(isRunOutage(Object.assign(new Error('read ETIMEDOUT'), { code: 'ETIMEDOUT' }))).toBe(true);
    expect(isRunOutage({ body: { statusCode: 503 }, message: 'no answer to partners.resolve.v1 within 15000 ms' })).toBe(true);
    expect(isRunOutage(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }))).toBe(false);
    expect(isRunOutage({ message: 'query failed', driverError: Object.assign(new Error('bind message supplies 70000 parameters'), { code: '08P01' }) })).toBe(false);
  });
});
