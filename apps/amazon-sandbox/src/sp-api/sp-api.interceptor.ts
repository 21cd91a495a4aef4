import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { randomUUID } from 'node:crypto';
import { defer, Observable, throwError } from 'rxjs';
import { catchError, mergeMap, tap } from 'rxjs/operators';
import { AccessTokenStore } from '../auth/access-token.store';
import { findCoveringResource } from '../tokens/restricted-resources';
import { RateLimitService } from '../rate-limits/rate-limit.service';
import { GRANTLESS_OPERATIONS, SpApiOperation } from '../rate-limits/operations';
import { AmazonApiError } from './amazon-error';
import { CallStatsService } from './call-stats.service';
import { FaultService } from './fault.service';
import { SP_API_OPERATION, SpApiRequest } from './sp-api-operation.decorator';

/**
 * What every SP-API call goes through, in Amazon's order: access token (403), injected
 * faults, rate limit (429), then the operation. Counts the outcome per seller and operation.
 */
@Injectable()
export class SpApiInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: AccessTokenStore,
    private readonly rateLimits: RateLimitService,
    private readonly faults: FaultService,
    private readonly stats: CallStatsService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const operation = this.reflector.get<SpApiOperation | undefined>(SP_API_OPERATION, context.getHandler());
    if (!operation) return next.handle();
    const req = context.switchToHttp().getRequest<SpApiRequest>();
    const res = context.switchToHttp().getResponse<Response>();
    res.setHeader('x-amzn-RequestId', randomUUID());
    res.setHeader('x-amzn-RateLimit-Limit', this.rateLimits.rateHeader(operation));

    const grant = this.tokens.resolve(req.header('x-amz-access-token'));
    if (!grant) return throwError(() => AmazonApiError.unauthorized());
    // Grantless operations take only a grantless token of their scope, and a grantless token nothing else.
    const grantlessScope = GRANTLESS_OPERATIONS[operation as keyof typeof GRANTLESS_OPERATIONS];
    if (grantlessScope !== grant.grantlessScope) return throwError(() => AmazonApiError.unauthorized());
    req.sellerId = grant.sellerId;
    req.clientId = grant.clientId;
    if (grant.restrictedResources) {
      // A restricted data token is good only for the resources it was issued for.
      const covering = findCoveringResource(grant.restrictedResources, req.method, req.path);
      if (!covering) return throwError(() => AmazonApiError.unauthorized());
      req.restrictedResource = covering;
    }
    const count = (status: number) => this.stats.record(grant.sellerId, operation, status);
    this.stats.received(grant.sellerId, operation);

    let lostAnswer: number | undefined;
    return defer(async () => {
      await this.faults.apply(operation, grant.sellerId);
      if (!this.rateLimits.tryAcquire(grant.sellerId, operation)) throw AmazonApiError.quotaExceeded();
      lostAnswer = this.faults.answerLost(operation, grant.sellerId);
    }).pipe(
      mergeMap(() => next.handle()),
      // The call took effect; its caller only sees an error, as when Amazon's answer is lost on the way.
      tap(() => {
        if (lostAnswer !== undefined) throw AmazonApiError.serverError(lostAnswer);
      }),
      tap(() => count(res.statusCode)),
      catchError((err: unknown) => {
        const status = typeof (err as { getStatus?: unknown })?.getStatus === 'function' ? (err as AmazonApiError).getStatus() : 500;
        count(status);
        return throwError(() => err);
      }),
    );
  }
}
