import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger as PinoInstance } from 'pino';
import { pinoHttp } from 'pino-http';
import { CORRELATION_ID_HEADER, inWorkContext, isValidCorrelationId, newCorrelationId, REQUEST_ID_HEADER } from '@connector/workers';
import { routePattern } from '../http-route';
import { errorFields } from './logger';

type Request = IncomingMessage & { id?: unknown; originalUrl?: string };
type Next = (err?: unknown) => void;

/**
 * The correlation id of an HTTP request: the caller's `X-Correlation-Id` (or `X-Request-Id`) when
 * it is a short token, else a new one. It is answered in the `X-Correlation-Id` header, is the
 * request's id for the access log, and is the work context of everything the request does (so
 * its NATS requests carry it to the services).
 */
export function correlationMiddleware() {
  return (req: Request, res: ServerResponse, next: Next): void => {
    const given = [req.headers[CORRELATION_ID_HEADER.toLowerCase()], req.headers[REQUEST_ID_HEADER.toLowerCase()]].find(isValidCorrelationId);
    const correlationId = given ?? newCorrelationId();
    req.id = correlationId;
    res.setHeader(CORRELATION_ID_HEADER, correlationId);
    inWorkContext({ correlationId }, () => next());
  };
}

/** Health probes and metrics scrapes. */
const QUIET_PATHS = /^\/(health|metrics)(\/|$)/;

/** The path without its query string (which may carry a buyer's e-mail or name in a search). */
function pathOf(req: Request): string {
  const url = req.originalUrl ?? req.url ?? '';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/**
 * One access line per HTTP request when its answer is sent (pino-http): method, route (the
 * matched pattern, e.g. `/api/v1/orders/:id`), path without query string, status, duration in
 * ms and correlation id. Never headers or bodies.
 */
export function accessLogMiddleware(root: PinoInstance) {
  return pinoHttp({
    logger: root,
    genReqId: (req) => (req as Request).id as string,
    wrapSerializers: false,
    customAttributeKeys: { responseTime: 'durationMs' },
    // The request is described by the fields below, not by pino-http's serialisation (headers).
    serializers: { req: () => undefined, res: () => undefined, err: errorFields },
    customLogLevel: (req, res, err) => {
      if (err || res.statusCode >= 500) return 'error';
      if (res.statusCode >= 400) return 'warn';
      // Probes and scrapes come every few seconds: their answers are lines at debug only.
      return QUIET_PATHS.test(pathOf(req as Request)) ? 'debug' : 'info';
    },
    customSuccessMessage: (req, res) => `${req.method} ${pathOf(req as Request)} ${res.statusCode}`,
    customErrorMessage: (req, res) => `${req.method} ${pathOf(req as Request)} ${res.statusCode}`,
    customSuccessObject: (req, res, fields) => accessFields(req as Request, res, fields),
    customErrorObject: (req, res, _err, fields) => accessFields(req as Request, res, fields),
  });
}

function accessFields(req: Request, res: ServerResponse, fields: Record<string, unknown>): object {
  const { durationMs } = fields;
  return {
    context: 'HTTP',
    correlationId: req.id,
    method: req.method,
    route: routePattern(req) ?? null,
    path: pathOf(req),
    status: res.statusCode,
    durationMs,
  };
}
