import { CanActivate, ExecutionContext, ForbiddenException, HttpException, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GET_DELIVERY, GET_NOTIFICATION, GET_OFFER, GET_ORDER, IdRequest, RequestContract } from '@connector/contracts';
import { ServiceClient, ServiceError } from '@connector/platform';
import { IS_PUBLIC } from '../common/public.decorator';
import { ApiKeysService, Caller } from './api-keys.service';
import { AuditedRequest, AuditService, isChange } from './audit.service';
import { ACCOUNT_FROM, AccountFrom, ApiScope, REQUIRED_SCOPE } from './scopes';

export const UNAUTHORIZED_BODY = {
  statusCode: 401,
  error: 'Unauthorized',
  message: 'missing or invalid API key',
} as const;

/** The key of an `Authorization: Bearer <key>` header, or undefined. */
export function bearerKey(header: unknown): string | undefined {
  const match = typeof header === 'string' ? /^Bearer[ ]+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

const callers = new WeakMap<object, Promise<Caller | undefined>>();

/** Who the request's key stands for, looked up once per request (the rate guard asks first). */
export function callerOf(keys: ApiKeysService, request: { headers: Record<string, string | string[] | undefined> }): Promise<Caller | undefined> {
  let caller = callers.get(request);
  if (!caller) {
    const key = bearerKey(request.headers['authorization']);
    caller = key ? keys.identify(key) : Promise.resolve(undefined);
    callers.set(request, caller);
  }
  return caller;
}

/** Where the account of a resource is looked up (each answers a view with its accountId). */
const RESOURCE_LOOKUPS: Record<Exclude<AccountFrom, string>['resource'], RequestContract<IdRequest, { accountId: string }>> = {
  order: GET_ORDER,
  delivery: GET_DELIVERY,
  notification: GET_NOTIFICATION,
  offer: GET_OFFER,
};

interface HttpRequest extends AuditedRequest {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  params?: Record<string, string>;
  query?: Record<string, unknown>;
  caller?: Caller;
}

/**
 * Every route but @Public() ones: `Authorization: Bearer <key>`, the scope the route needs,
 * and, for keys limited to some seller accounts, that the route's account is one of them.
 * The caller is kept on the request for the audit log.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysService,
    private readonly services: ServiceClient,
    private readonly audit: AuditService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<HttpRequest>();
    const caller = await callerOf(this.keys, request);
    if (!caller) throw new UnauthorizedException({ ...UNAUTHORIZED_BODY });
    try {
      const scope = this.reflector.getAllAndOverride<ApiScope | 'any'>(REQUIRED_SCOPE, targets) ?? (['GET', 'HEAD'].includes(request.method) ? ApiScope.Read : ApiScope.Admin);
      if (scope !== 'any' && !caller.scopes.includes(scope)) {
        throw new ForbiddenException({ statusCode: 403, error: 'Forbidden', message: `this API key does not have the ${scope} scope` });
      }
      if (caller.accountIds) await this.checkAccount(caller.accountIds, this.reflector.getAllAndOverride<AccountFrom>(ACCOUNT_FROM, targets), request);
    } catch (err) {
      // A change refused to a known key is in the audit log too (who tried what).
      if (isChange(request.method) && err instanceof HttpException) await this.audit.recordRequest(caller, request, err.getStatus());
      throw err;
    }
    request.caller = caller;
    return true;
  }

  private async checkAccount(allowed: string[], from: AccountFrom | undefined, request: HttpRequest): Promise<void> {
    const refuse = (message: string) => new ForbiddenException({ statusCode: 403, error: 'Forbidden', message });
    if (from === 'none') return;
    if (from === 'param') {
      // Another account's id answers as an unknown one would: a limited key learns nothing of others.
      if (!allowed.includes(String(request.params?.id))) throw new NotFoundException({ statusCode: 404, error: 'Not Found', message: `account ${request.params?.id} not found` });
      return;
    }
    if (from === 'own') {
      const accountId = request.query?.accountId;
      if (accountId !== undefined && !allowed.includes(String(accountId))) throw refuse(`this API key is not for account ${String(accountId)}`);
      return;
    }
    if (from === 'query' || from === 'body') {
      const accountId = from === 'query' ? request.query?.accountId : (request.body as { accountId?: unknown } | undefined)?.accountId;
      if (typeof accountId !== 'string') throw refuse(`this API key is limited to some seller accounts: name one with accountId (${allowed.join(', ')})`);
      if (!allowed.includes(accountId)) throw refuse(`this API key is not for account ${accountId}`);
      return;
    }
    if (from && typeof from === 'object') {
      const id = String(request.params?.id);
      const resource = await this.services.request(RESOURCE_LOOKUPS[from.resource], { id }).catch((err) => {
        // Unknown or malformed: the route itself answers (404, 400) with its usual words.
        if (err instanceof ServiceError && err.body.statusCode < 500) return undefined;
        throw err;
      });
      if (resource && !allowed.includes(String(resource.accountId))) throw new NotFoundException({ statusCode: 404, error: 'Not Found', message: `${from.resource} ${id} not found` });
      return;
    }
    throw refuse('this route is not open to API keys limited to some seller accounts');
  }
}
