import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { SETTINGS } from '@connector/platform';
import { createHash, timingSafeEqual } from 'node:crypto';
import { apiKeys, GatewaySettings } from '../gateway.settings';
import { IS_PUBLIC } from './public.decorator';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

export const UNAUTHORIZED_BODY = {
  statusCode: 401,
  error: 'Unauthorized',
  message: 'missing or invalid API key',
} as const;

/** Compares against every key, in constant time per key, without stopping at a match. */
export function isValidApiKey(candidate: string, keys: readonly Buffer[]): boolean {
  const presented = digest(candidate);
  let ok = false;
  for (const key of keys) ok = timingSafeEqual(presented, key) || ok;
  return ok;
}

/** `Authorization: Bearer <key>` on every route except those marked @Public(). */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly keys: Buffer[];

  constructor(
    private readonly reflector: Reflector,
    @Inject(SETTINGS) settings: GatewaySettings,
  ) {
    this.keys = apiKeys(settings).map(digest);
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined> }>();
    const header = request.headers['authorization'];
    const match = typeof header === 'string' ? /^Bearer[ ]+(\S+)\s*$/i.exec(header) : null;
    if (!match || !isValidApiKey(match[1], this.keys)) throw new UnauthorizedException({ ...UNAUTHORIZED_BODY });
    return true;
  }
}
