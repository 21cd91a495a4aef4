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
});
