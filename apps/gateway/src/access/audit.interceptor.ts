import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { catchError, concatMap, Observable } from 'rxjs';
import { toHttpErrorBody } from '../common/http-error.filter';
import type { Caller } from './api-keys.service';
import { AuditService } from './audit.service';

const CHANGES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Writes every change made through the API (refused ones too) to the audit log, once it has ended. */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Audit');

  constructor(private readonly audit: AuditService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<{ method: string; originalUrl?: string; url: string; route?: { path?: string }; body?: unknown; caller?: Caller }>();
    if (!CHANGES.has(request.method) || !request.caller) return next.handle();
    const caller = request.caller;
    const entry = {
      method: request.method,
      path: (request.originalUrl ?? request.url).split('?')[0],
      action: `${request.method} ${request.route?.path ?? '?'}`,
      body: request.body,
    };
    // The answer waits for its audit entry; a failed write is said loudly (the change is done by then).
    const write = (status: number) => this.audit.record(caller, entry, status).catch((err) => this.logger.error(`audit entry not written (${entry.action}): ${err.message}`));
    // Nest sets the status after the handler: the route's @HttpCode, or 201 for POST.
    const status = Reflect.getMetadata(HTTP_CODE_METADATA, context.getHandler()) ?? (request.method === 'POST' ? 201 : 200);
    return next.handle().pipe(
      concatMap(async (value) => {
        await write(status);
        return value;
      }),
      catchError(async (err) => {
        await write(toHttpErrorBody(err).statusCode);
        throw err;
      }),
    );
  }
}
