import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import { register } from 'prom-client';
import { ScrapedMetrics, waitFor } from '@connector/test-environment';
import { accessLogMiddleware, correlationMiddleware, createRootLogger } from './logging';
import { httpRequestMetrics } from './metrics';

/**
 * The access log and the HTTP metric name a request by the same route pattern (a router's mount
 * path and its route's), never the raw URL.
 */
describe('routePattern: one name for a request in the access log and the metric', () => {
  it('is the mounted router path and the route, in both; a request no route took is unmatched in the metric and null in the log', async () => {
    const lines: Record<string, unknown>[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const app = express();
    app.use(httpRequestMetrics, correlationMiddleware(), accessLogMiddleware(createRootLogger({ service: 'route-test', destination })));
    const router = express.Router();
    router.get('/widgets/:id', (_req, res) => void res.json({}));
    app.use('/api/v9', router);
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect((await fetch(`${base}/api/v9/widgets/w-123?name=Jane`)).status).toBe(200);
      expect((await fetch(`${base}/api/v9/nothing/here`)).status).toBe(404);
      await waitFor(() => lines.length === 2, { what: 'two access lines' });
      expect(lines.map((line) => [line.path, line.route])).toEqual([
        ['/api/v9/widgets/w-123', '/api/v9/widgets/:id'],
        ['/api/v9/nothing/here', null],
      ]);
      const metrics = new ScrapedMetrics(await register.getSingleMetricAsString('connector_http_request_duration_seconds'));
      expect(metrics.histogramCount('connector_http_request_duration_seconds', { method: 'GET', route: '/api/v9/widgets/:id', status: '200' })).toBe(1);
      expect(metrics.histogramCount('connector_http_request_duration_seconds', { method: 'GET', route: 'unmatched', status: '404' })).toBeGreaterThanOrEqual(1);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
