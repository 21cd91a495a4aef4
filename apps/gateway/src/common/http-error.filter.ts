import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import type { RpcErrorBody } from '@connector/contracts';
import { isRpcErrorBody, ServiceError } from '@connector/platform';
import { STATUS_CODES } from 'node:http';

function reasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

function validStatus(status: unknown): status is number {
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599;
}

const INTERNAL: RpcErrorBody = { statusCode: 500, error: 'Internal Server Error', message: 'internal error' };

/** Keeps only the fields of the public error shape. */
function clean(body: RpcErrorBody): RpcErrorBody {
  const statusCode = validStatus(body.statusCode) ? body.statusCode : 500;
  const out: RpcErrorBody = {
    statusCode,
    error: typeof body.error === 'string' && body.error ? body.error : reasonPhrase(statusCode),
    message: typeof body.message === 'string' ? body.message : reasonPhrase(statusCode),
  };
  if (body.details !== undefined && body.details !== null) out.details = body.details;
  return out;
}

function fromHttpException(exception: HttpException): RpcErrorBody {
  const statusCode = exception.getStatus();
  const response = exception.getResponse();
  if (typeof response === 'string') return { statusCode, error: reasonPhrase(statusCode), message: response };
  const res = (response ?? {}) as Record<string, unknown>;
  let message = res.message;
  if (Array.isArray(message)) message = message.map(String).join('; ');
  if (typeof message !== 'string' || !message) message = exception.message || reasonPhrase(statusCode);
  // Express's body parser: say what is wrong without echoing the body back.
  if (statusCode === 400 && exception.cause === undefined && /JSON/.test(message as string) && !res.details) {
    message = `malformed JSON body: ${message}`;
  }
  const body: RpcErrorBody = {
    statusCode,
    error: typeof res.error === 'string' ? res.error : reasonPhrase(statusCode),
    message: message as string,
  };
  if (res.details !== undefined) body.details = res.details as RpcErrorBody['details'];
  return body;
}

/**
 * RFC 9457 problem details: its members (`type`, `title`, `status`, `detail`), and ours as
 * extension members, which clients before problem+json read (`statusCode`, `error`, `message`,
 * `details` with the failing fields). Never a stack trace.
 */
export function problemDocument(body: RpcErrorBody): Record<string, unknown> {
  return { type: 'about:blank', title: body.error, status: body.statusCode, detail: body.message, ...body };
}

/**
 * Express's body parser fails with http-errors objects (413 too large, 415, 400): their status
 * and a fixed message, never the body they refer to.
 */
function fromBodyParser(exception: unknown): RpcErrorBody | undefined {
  const err = exception as { status?: unknown; expose?: unknown; type?: unknown; bodyLimitName?: unknown };
  if (!err || err.expose !== true || !validStatus(err.status) || err.status >= 500 || typeof err.type !== 'string') return undefined;
  const messages: Record<string, string> = {
    // A route with its own parser (the import of accounts) names its own limit.
    'entity.too.large': `request body is larger than ${typeof err.bodyLimitName === 'string' ? err.bodyLimitName : 'this API takes (GATEWAY_BODY_LIMIT)'}`,
    'encoding.unsupported': 'unsupported content encoding',
    'charset.unsupported': 'unsupported charset',
  };
  return { statusCode: err.status, error: reasonPhrase(err.status), message: messages[err.type] ?? reasonPhrase(err.status) };
}

/** Maps what a route throws to `{ statusCode, error, message, details? }`. */
export function toHttpErrorBody(exception: unknown, logger?: Logger): RpcErrorBody {
  if (exception instanceof ServiceError) return clean(exception.body);
  if (exception instanceof RpcException && isRpcErrorBody(exception.getError())) {
    return clean(exception.getError() as RpcErrorBody);
  }
  if (exception instanceof HttpException) return fromHttpException(exception);
  const parserError = fromBodyParser(exception);
  if (parserError) return parserError;
  logger?.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
  return { ...INTERNAL };
}

@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const response = http.getResponse<{ headersSent?: boolean; status(code: number): { type(type: string): { send(body: string): void } } }>();
    const request = http.getRequest<{ method?: string; originalUrl?: string; url?: string }>();
    const body = toHttpErrorBody(exception, this.logger);
    if (body.statusCode >= 500) {
      // Method and path only: request bodies may hold secrets.
      const path = (request.originalUrl ?? request.url ?? '').split('?')[0];
      this.logger.warn(`${request.method} ${path} -> ${body.statusCode} ${body.message}`);
    }
    if (response.headersSent) return;
    response.status(body.statusCode).type('application/problem+json').send(JSON.stringify(problemDocument(body)));
  }
}
