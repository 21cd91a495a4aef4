import { isDependencyOutage } from './faults';

describe('isDependencyOutage', () => {
  it('takes a database, broker or service that is away as an outage to wait out', () => {
    expect(isDependencyOutage(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isDependencyOutage(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }))).toBe(true);
    expect(isDependencyOutage({ message: 'query failed', driverError: { code: '57P01' } })).toBe(true);
    expect(isDependencyOutage(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDependencyOutage({ body: { statusCode: 503 }, message: 'no answer to partners.resolve.v1 within 15000 ms' })).toBe(true);
    expect(isDependencyOutage(Object.assign(new Error('TIMEOUT'), { code: 'TIMEOUT' }))).toBe(true);
    // The database settings' timeouts: a silent server, a lock wait, a transaction left idle.
    expect(isDependencyOutage({ message: 'Query read timeout', driverError: new Error('Query read timeout') })).toBe(true);
    expect(isDependencyOutage(Object.assign(new Error('canceling statement due to lock timeout'), { code: '55P03' }))).toBe(true);
    expect(isDependencyOutage(Object.assign(new Error('terminating connection due to idle-in-transaction timeout'), { code: '25P03' }))).toBe(true);
  });

  it('takes a failure of the work itself as its own', () => {
    expect(isDependencyOutage(new Error('Validation failed'))).toBe(false);
    expect(isDependencyOutage({ body: { statusCode: 400 }, message: 'Validation failed' })).toBe(false);
    expect(isDependencyOutage(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isDependencyOutage(undefined)).toBe(false);
    expect(isDependencyOutage('Connection lost')).toBe(false);
  });
});
