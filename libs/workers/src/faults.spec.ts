import { isConnectionOutage, isDependencyOutage, isServiceAway } from './faults';

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

describe('isConnectionOutage and isDependencyOutage: the broad check is the narrow one and more', () => {
  const connectionLost = [
    Object.assign(new Error('read ETIMEDOUT'), { code: 'ETIMEDOUT' }),
    Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
    Object.assign(new Error('TIMEOUT'), { code: 'TIMEOUT' }),
    Object.assign(new Error('503'), { code: '503' }),
    { message: 'query failed', driverError: Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }) },
    new Error('Query read timeout'),
  ];
  const onlyBroad = [
    Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }),
    { message: 'query failed', driverError: Object.assign(new Error('bind message supplies 70000 parameters'), { code: '08P01' }) },
    Object.assign(new Error('too many connections'), { code: '53300' }),
    Object.assign(new Error('getaddrinfo ENOTFOUND db.wrong'), { code: 'ENOTFOUND' }),
    { body: { statusCode: 503 }, message: 'no answer to partners.resolve.v1 within 15000 ms' },
  ];

  it('a connection lost is both', () => {
    for (const err of connectionLost) {
      expect(isConnectionOutage(err)).toBe(true);
      expect(isDependencyOutage(err)).toBe(true);
    }
  });

  it('a fault that repeats on every try is a dependency outage only for the broad check', () => {
    for (const err of onlyBroad) {
      expect(isConnectionOutage(err)).toBe(false);
      expect(isDependencyOutage(err)).toBe(true);
    }
  });

  it("another service's 503 or 504 is a service away, any other answer is not", () => {
    expect(isServiceAway({ body: { statusCode: 503 } })).toBe(true);
    expect(isServiceAway({ body: { statusCode: 504 } })).toBe(true);
    expect(isServiceAway({ body: { statusCode: 500 } })).toBe(false);
    expect(isServiceAway(new Error('Connection terminated'))).toBe(false);
  });
});
