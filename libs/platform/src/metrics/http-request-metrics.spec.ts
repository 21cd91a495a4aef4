import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { register } from 'prom-client';
import { ScrapedMetrics } from '@connector/test-environment';
import { httpRequestMetrics } from './http-request-metrics';

/** A request through the middleware, answered with `status` after the router set `route` (or none). */
function answer(method: string, url: string, status: number, route?: string): void {
  const req = { method, url, route: route ? { path: route } : undefined, baseUrl: '' } as unknown as IncomingMessage;
  const res = Object.assign(new EventEmitter(), { statusCode: status }) as unknown as ServerResponse;
  httpRequestMetrics(req, res, () => undefined);
  res.emit('finish');
}

const count = async (labels: Record<string, string>) =>
  new ScrapedMetrics(await register.getSingleMetricAsString('connector_http_request_duration_seconds')).histogramCount('connector_http_request_duration_seconds', labels);

describe('httpRequestMetrics: request durations by route pattern', () => {
  it('labels a request with the pattern of its route, never its URL, and the status it was answered with', async () => {
    answer('GET', '/api/v1/orders/0198a1b2-0000-7000-8000-000000000001', 200, '/api/v1/orders/:id');
    answer('GET', '/api/v1/orders/0198a1b2-0000-7000-8000-000000000002', 404, '/api/v1/orders/:id');
    expect(await count({ method: 'GET', route: '/api/v1/orders/:id', status: '200' })).toBe(1);
    expect(await count({ method: 'GET', route: '/api/v1/orders/:id', status: '404' })).toBe(1);
    expect((await register.getSingleMetricAsString('connector_http_request_duration_seconds')).includes('0198a1b2')).toBe(false);
  });

  it('counts a request no route took as unmatched, and an unknown method as OTHER', async () => {
    answer('GET', '/no/such/path/123', 404);
    answer('BREW', '/api/v1/orders', 404);
    expect(await count({ method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    expect(await count({ method: 'OTHER', route: 'unmatched', status: '404' })).toBe(1);
  });
});
