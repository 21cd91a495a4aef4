import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { AmazonApiError, amazonCodeForStatus } from './amazon-error';

/**
 * One filter, three dialects: the control API answers like a Nest app
 * ({ statusCode, error, message }), LWA and the consent page answer like LWA ({ error, error_description },
 * already thrown in that shape) and every other path answers like the SP-API ({ errors: [...] }).
 */
@Catch()
export class SandboxExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Sandbox');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request>();
    const res = ctx.getResponse<Response>();
    if (res.headersSent) return;
    const path = req.path ?? req.url;
    const status = exception instanceof HttpException ? exception.getStatus() : 500;
    if (!(exception instanceof HttpException)) this.logger.error(exception instanceof Error ? exception.stack : String(exception));

    if (path.startsWith('/_sandbox') || path.startsWith('/auth/o2/token') || path.startsWith('/apps/authorize')) {
      const body = exception instanceof HttpException ? exception.getResponse() : { statusCode: 500, error: 'Internal Server Error', message: String(exception) };
      res.status(status).json(typeof body === 'string' ? { statusCode: status, message: body } : body);
      return;
    }

    if (!res.getHeader('x-amzn-RequestId')) res.setHeader('x-amzn-RequestId', randomUUID());
    if (exception instanceof AmazonApiError) {
      res.status(status).json({ errors: exception.errors });
      return;
    }
    let message = status === 500 ? 'We encountered an internal error. Please try again.' : 'Invalid Input';
    if (exception instanceof HttpException) {
      const body = exception.getResponse();
      const m = typeof body === 'string' ? body : (body as { message?: unknown }).message;
      if (m) message = Array.isArray(m) ? m.join('; ') : String(m);
    }
    res.status(status).json({ errors: [{ code: amazonCodeForStatus(status), message, details: '' }] });
  }
}
