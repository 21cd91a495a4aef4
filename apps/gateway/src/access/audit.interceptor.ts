import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { catchError, concatMap, Observable } from 'rxjs';
import { toHttpErrorBody } from '../common/http-error.filter';
import type { Caller } from './api-keys.service';
import { AUDIT_CHANGES, AuditedRequest, AuditService, isChange } from './audit.service';

/** Writes every change made through the API (refused ones too) to the audit log, once it has ended. */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly audit: AuditService,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<AuditedRequest & { method: string; caller?: Caller }>();
    if (!isChange(request.method) || !request.caller) return next.handle();
    const caller = request.caller;
    // Before the pipes: a request refused for its body gets its compact entry too.
    const compact = this.reflector.get<((body: unknown) => object) | undefined>(AUDIT_CHANGES, context.getHandler());
    if (compact) request.auditChanges = compact(request.body);
    // The answer waits for its audit entry.
    const write = (status: number) => this.audit.recordRequest(caller, request, status);
    // Nest sets the status after the handler: the route's @HttpCode, or 201 for POST.
    const status = Reflect.getMetadata(HTTP_CODE_METADATA, context.getHandler()) ?? (request.method === 'POST' ? 201 : 200);
    return next.handle().pipe(
      concatMap(async (value) => {
        // The route wrote an entry per item it changed (AuditService.recordEach).
        if (!request.auditedEach) await write(status);
        return value;
      }),
      catchError(async (err) => {
        await write(toHttpErrorBody(err).statusCode);
        throw err;
      }),
    );
  }
}
