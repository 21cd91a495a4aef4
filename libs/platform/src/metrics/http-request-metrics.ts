import type { IncomingMessage, ServerResponse } from 'node:http';
import { routePattern } from '../http-route';
import { histogram } from './metric-definitions';

const httpRequestDuration = histogram({
  name: 'connector_http_request_duration_seconds',
  help: 'HTTP requests answered, by method, route pattern (not the raw URL) and status code',
  labelNames: ['method', 'route', 'status'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
});

/** Methods a client may send are many; only these are labels (the rest are `OTHER`), so the series stay bounded. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Express middleware (first in the chain): times each request until its answer is sent and
 * labels it with the route's pattern. A request no route took (a 404, a redirect of an old path,
 * a body refused before routing) is `route="unmatched"`: raw paths would make a series per order id.
 */
export function httpRequestMetrics(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  const answered = httpRequestDuration.startTimer();
  res.once('finish', () => {
    const method = METHODS.has(req.method ?? '') ? req.method! : 'OTHER';
    answered({ method, route: routePattern(req) ?? 'unmatched', status: String(res.statusCode) });
  });
  next();
}
