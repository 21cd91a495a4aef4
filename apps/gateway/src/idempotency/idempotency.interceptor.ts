import { CallHandler, ExecutionContext, HttpException, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { createHash } from 'node:crypto';
import { catchError, concatMap, from, Observable, of, switchMap } from 'rxjs';
import { bearerKey } from '../access/access.guard';
import type { Caller } from '../access/api-keys.service';
import { toHttpErrorBody } from '../common/http-error.filter';
import { validationFailed } from '../common/validation';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT } from './idempotent.decorator';
import { IdempotencyService, requestFingerprint } from './idempotency.service';

/** Printable ASCII without spaces at the ends, as a header value can carry it. */
const WELL_FORMED_KEY = /^[\x21-\x7e](?:[\x20-\x7e]{0,253}[\x21-\x7e])?$/;

interface IdempotentHttpRequest {
  method: string;
  originalUrl?: string;
  url?: string;
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
  caller?: Caller;
}

/** Whose keys these are: a named key's id, or a key of GATEWAY_API_KEYS by its hash (never the key). */
function callerScope(caller: Caller, request: IdempotentHttpRequest): string {
  if (caller.keyId) return caller.keyId;
  return `environment:${createHash('sha256').update(bearerKey(request.headers.authorization) ?? '').digest('hex')}`;
}

/**
 * Honours `Idempotency-Key` on routes marked @Idempotent(): the first request with a key runs and
 * its answer (2xx, or the problem of a 4xx) is kept; the same key and request again within 24 h
 * gets that answer back without running; the same key with another request is a 422, and while the
 * first still runs a 409. A 5xx is not kept: the caller may retry with the same key, except after a
 * 503 (no answer in time: the work may be done), where the claim holds until it is abandoned.
 * Runs after the guards, so the caller is known and a refused request claims no key.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Idempotency');

  constructor(
    private readonly reflector: Reflector,
    private readonly idempotency: IdempotencyService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http' || !this.reflector.get<boolean>(IDEMPOTENT, context.getHandler())) return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<IdempotentHttpRequest>();
    const header = request.headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()];
    if (header === undefined || !request.caller) return next.handle();
    const key = Array.isArray(header) ? header.join(',') : header;
    if (!WELL_FORMED_KEY.test(key)) {
      throw validationFailed([{ field: IDEMPOTENCY_KEY_HEADER, errors: [`${IDEMPOTENCY_KEY_HEADER} must be 1 to 255 printable characters`] }]);
    }
    const caller = callerScope(request.caller, request);
    const fingerprint = requestFingerprint(request.method, request.originalUrl ?? request.url ?? '', request.body);
    const response = http.getResponse<{ setHeader(name: string, value: string): void }>();
    // Nest sets the status after the handler: the route's @HttpCode, or 201 for POST.
    const status: number = Reflect.getMetadata(HTTP_CODE_METADATA, context.getHandler()) ?? 201;

    return from(this.idempotency.claim(caller, key, fingerprint)).pipe(
      switchMap((claim) => {
        switch (claim.outcome) {
          case 'different-request':
            throw new HttpException({ statusCode: 422, error: 'Unprocessable Entity', message: `this ${IDEMPOTENCY_KEY_HEADER} was used with a different request` }, 422);
          case 'running':
            throw new HttpException({ statusCode: 409, error: 'Conflict', message: `a request with this ${IDEMPOTENCY_KEY_HEADER} is still running` }, 409);
          case 'replay':
            response.setHeader('Idempotency-Replayed', 'true');
            if (claim.status >= 400) {
              const problem = claim.response as { statusCode: number; error: string; message: string; details?: unknown };
              throw new HttpException({ ...problem }, claim.status);
            }
            return of(claim.response);
          case 'new':
            return next.handle().pipe(
              // Only the handler's failures: once it succeeded, the work is done whatever happens to its record.
              catchError(async (err) => {
                const body = toHttpErrorBody(err);
                if (body.statusCode < 500) await this.idempotency.complete(caller, key, claim.token, body.statusCode, body);
                // A 503 is a service that did not answer in time: it may still have done the work, so
                // the claim stays (a retry gets 409) until it is abandoned. Other 5xx were refused: retry.
                else if (body.statusCode !== 503) await this.idempotency.release(caller, key, claim.token);
                throw err;
              }),
              concatMap(async (value) => {
                // The work is done: its answer goes back even if keeping it fails (the claim then stays
                // running until abandoned, so a retry meanwhile gets 409, never a second run).
                await this.idempotency
                  .complete(caller, key, claim.token, status, value)
                  .catch((err) => this.logger.error(`could not keep the answer for ${IDEMPOTENCY_KEY_HEADER} ${key}: ${err.message}`));
                return value;
              }),
            );
        }
      }),
    );
  }
}
