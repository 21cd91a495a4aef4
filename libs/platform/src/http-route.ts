import type { IncomingMessage } from 'node:http';

/** Express's request once a route matched it. */
type RoutedRequest = IncomingMessage & { baseUrl?: string; route?: { path?: unknown } };

/**
 * The pattern of the route that took the request, e.g. `/api/v1/orders/:id` (a router's mount
 * path and the route's own), or undefined when no route took it (a 404, a body refused before
 * routing). The access log and the HTTP metric both name requests by it, never by the raw URL.
 */
export function routePattern(req: IncomingMessage): string | undefined {
  const routed = req as RoutedRequest;
  return typeof routed.route?.path === 'string' ? `${routed.baseUrl ?? ''}${routed.route.path}` : undefined;
}
