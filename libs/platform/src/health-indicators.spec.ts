import { dependencyProblem } from './health-indicators';

describe('dependencyProblem: why a dependency failed, in our words', () => {
  it.each([
    [Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED' }), 'connection refused'],
    [Object.assign(new Error('password authentication failed for user "ingestion_rw"'), { code: '28P01' }), 'authentication refused'],
    [{ message: 'query failed', driverError: Object.assign(new Error('getaddrinfo ENOTFOUND db.internal'), { code: 'ENOTFOUND' }) }, 'host not found'],
    [new Error('Connection terminated unexpectedly'), 'connection lost'],
    [new Error('the NATS connection is lost, reconnecting (DISCONNECT)'), 'connection lost'],
    [new Error('postgres://app:secret@10.0.0.5:5432/connector is broken'), 'failed (Error)'],
    ['a string', 'failed (string)'],
  ])('%s → %s', (err, words) => {
    expect(dependencyProblem(err)).toBe(words);
  });
});
