import { ExecutionContext, ForbiddenException, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AccessGuard, bearerKey } from './access.guard';
import { ApiKeysService, Caller } from './api-keys.service';
import { AuditService } from './audit.service';
import { ACCOUNT_FROM, ApiScope, REQUIRED_SCOPE } from './scopes';
import { IS_PUBLIC } from '../common/public.decorator';

/** The guard over a route with the given metadata, and a key service that knows the given keys. */
function setUp(keys: Record<string, Caller>, metadata: Record<string, unknown> = {}) {
  const reflector = { getAllAndOverride: jest.fn((name: string) => metadata[name]) } as unknown as Reflector;
  const service = { identify: jest.fn(async (key: string) => keys[key]) } as unknown as ApiKeysService;
  const services = { request: jest.fn() };
  // AuditService's own way from a request to an entry, over a recording stand-in for the table.
  const audit = { record: jest.fn(async () => undefined) } as unknown as AuditService & { record: jest.Mock };
  audit.recordRequest = AuditService.prototype.recordRequest.bind(audit);
  const guard = new AccessGuard(reflector, service, services as never, audit as never);
  const run = (request: { method?: string; headers?: Record<string, string>; params?: Record<string, string>; query?: Record<string, string>; body?: Record<string, unknown> }) => {
    const req = { method: 'GET', headers: {}, params: {}, query: {}, ...request };
    const ctx = { getType: () => 'http', getHandler: () => undefined, getClass: () => undefined, switchToHttp: () => ({ getRequest: () => req }) } as unknown as ExecutionContext;
    return guard.canActivate(ctx).then(() => req as typeof req & { caller?: Caller });
  };
  return { run, services, audit };
}

const everything: Caller = { keyId: null, name: 'environment key', scopes: [ApiScope.Read, ApiScope.Operate, ApiScope.Admin], accountIds: null };
const reader: Caller = { keyId: 'k1', name: 'reader', scopes: [ApiScope.Read], accountIds: null };

describe('AccessGuard', () => {
  it.each([
    ['no header', {}],
    ['wrong key', { authorization: 'Bearer nope' }],
    ['prefix of a key', { authorization: 'Bearer k-on' }],
    ['key without Bearer', { authorization: 'k-one' }],
    ['Basic scheme', { authorization: 'Basic k-one' }],
    ['empty bearer', { authorization: 'Bearer ' }],
  ])('rejects %s with the API error body', async (_name, headers) => {
    const { run } = setUp({ 'k-one': everything });
    const thrown = await run({ headers: headers as Record<string, string> }).catch((err) => err);
    expect(thrown).toBeInstanceOf(UnauthorizedException);
    expect(thrown.getResponse()).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'missing or invalid API key' });
  });

  it('lets @Public() routes through without a key', async () => {
    const { run } = setUp({}, { [IS_PUBLIC]: true });
    await expect(run({})).resolves.toBeDefined();
  });

  it('keeps the caller on the request, for the audit log', async () => {
    const { run } = setUp({ 'k-one': everything });
    expect((await run({ headers: { authorization: 'Bearer k-one' } })).caller).toBe(everything);
  });

  it('needs read for GET, admin for other methods unless the route names its scope', async () => {
    const { run } = setUp({ r: reader });
    await expect(run({ headers: { authorization: 'Bearer r' } })).resolves.toBeDefined();
    await expect(run({ method: 'POST', headers: { authorization: 'Bearer r' } })).rejects.toBeInstanceOf(ForbiddenException);
    const operateRoute = setUp({ r: reader }, { [REQUIRED_SCOPE]: ApiScope.Operate });
    await expect(operateRoute.run({ method: 'POST', headers: { authorization: 'Bearer r' } })).rejects.toThrow(/operate scope/);
    // The refused change is audited, with the key that tried it.
    expect(operateRoute.audit.record).toHaveBeenCalledWith(reader, expect.objectContaining({ method: 'POST' }), 403);
  });

  it('refuses a limited key on a route that names no account, and asks nothing of the services', async () => {
    const limited: Caller = { ...reader, accountIds: ['a1'] };
    const { run, services } = setUp({ l: limited });
    await expect(run({ headers: { authorization: 'Bearer l' } })).rejects.toThrow(/not open to API keys limited/);
    const byQuery = setUp({ l: limited }, { [ACCOUNT_FROM]: 'query' });
    await expect(byQuery.run({ headers: { authorization: 'Bearer l' }, query: { accountId: 'a1' } })).resolves.toBeDefined();
    await expect(byQuery.run({ headers: { authorization: 'Bearer l' }, query: { accountId: 'a2' } })).rejects.toBeInstanceOf(ForbiddenException);
    // An action on what a filter in the body matches (bulk retry): the filter must name one of its accounts.
    const byBody = setUp({ l: limited }, { [ACCOUNT_FROM]: 'body' });
    await expect(byBody.run({ headers: { authorization: 'Bearer l' }, body: { accountId: 'a1' } })).resolves.toBeDefined();
    await expect(byBody.run({ headers: { authorization: 'Bearer l' }, body: { accountId: 'a2' } })).rejects.toBeInstanceOf(ForbiddenException);
    await expect(byBody.run({ headers: { authorization: 'Bearer l' }, body: {} })).rejects.toThrow(/name one with accountId/);
    expect(services.request).not.toHaveBeenCalled();
  });

  it('lets a limited key list across its own accounts (the route narrows the list), and refuses another account named in the query', async () => {
    const limited: Caller = { ...reader, accountIds: ['a1', 'a3'] };
    const own = setUp({ l: limited }, { [ACCOUNT_FROM]: 'own' });
    await expect(own.run({ headers: { authorization: 'Bearer l' } })).resolves.toBeDefined();
    await expect(own.run({ headers: { authorization: 'Bearer l' }, query: { accountId: 'a3' } })).resolves.toBeDefined();
    await expect(own.run({ headers: { authorization: 'Bearer l' }, query: { accountId: 'a2' } })).rejects.toBeInstanceOf(ForbiddenException);
    expect(own.services.request).not.toHaveBeenCalled();
  });
});

describe('bearerKey', () => {
  it('takes the key of a Bearer header only', () => {
    expect(bearerKey('Bearer abc')).toBe('abc');
    expect(bearerKey('bearer  abc ')).toBe('abc');
    expect(bearerKey('Basic abc')).toBeUndefined();
    expect(bearerKey(undefined)).toBeUndefined();
  });
});
