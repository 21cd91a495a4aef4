import { ExecutionContext, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiKeyGuard, isValidApiKey } from './api-key.guard';
import { createHash } from 'node:crypto';

function context(headers: Record<string, string>, isPublic = false): { ctx: ExecutionContext; reflector: Reflector } {
  const handler = () => undefined;
  class Ctl {}
  const reflector = { getAllAndOverride: jest.fn().mockReturnValue(isPublic) } as unknown as Reflector;
  const ctx = {
    getType: () => 'http',
    getHandler: () => handler,
    getClass: () => Ctl,
    switchToHttp: () => ({ getRequest: () => ({ headers }) }),
  } as unknown as ExecutionContext;
  return { ctx, reflector };
}

const guardFor = (keys: string, reflector: Reflector) =>
  new ApiKeyGuard(reflector, { GATEWAY_API_KEYS: keys } as never);

describe('ApiKeyGuard', () => {
  it('accepts any configured key as a bearer token', () => {
    for (const key of ['k-one', 'k-two']) {
      const { ctx, reflector } = context({ authorization: `Bearer ${key}` });
      expect(guardFor('k-one, k-two', reflector).canActivate(ctx)).toBe(true);
    }
  });

  it.each([
    ['no header', {}],
    ['wrong key', { authorization: 'Bearer nope' }],
    ['prefix of a key', { authorization: 'Bearer k-on' }],
    ['key without Bearer', { authorization: 'k-one' }],
    ['Basic scheme', { authorization: 'Basic k-one' }],
    ['empty bearer', { authorization: 'Bearer ' }],
  ])('rejects %s with the API error body', (_name, headers) => {
    const { ctx, reflector } = context(headers as Record<string, string>);
    const guard = guardFor('k-one,k-two', reflector);
    let thrown: unknown;
    try {
      guard.canActivate(ctx);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(UnauthorizedException);
    expect((thrown as UnauthorizedException).getResponse()).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      message: 'missing or invalid API key',
    });
  });

  it('lets @Public() routes through without a key', () => {
    const { ctx, reflector } = context({}, true);
    expect(guardFor('k-one', reflector).canActivate(ctx)).toBe(true);
  });

  it('ignores empty entries in GATEWAY_API_KEYS', () => {
    const { ctx, reflector } = context({ authorization: 'Bearer ' });
    expect(() => guardFor('k-one,,', reflector).canActivate(ctx)).toThrow(UnauthorizedException);
  });

  it('compares digests of equal length whatever the key lengths', () => {
    const keys = ['short', 'a-much-longer-api-key-value'].map((k) => createHash('sha256').update(k).digest());
    expect(isValidApiKey('short', keys)).toBe(true);
    expect(isValidApiKey('a-much-longer-api-key-value', keys)).toBe(true);
    expect(isValidApiKey('a-much-longer-api-key-valuE', keys)).toBe(false);
  });
});
