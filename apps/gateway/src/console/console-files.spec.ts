import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import express from 'express';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { consolePages, serveConsole } from './console-files';

const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

describe('the console at /', () => {
  const dir = mkdtempSync(join(tmpdir(), 'console-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>console</title>');
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const app = express();
    app.use(consolePages(join(dir, 'index.html')));
    // Behind it, what the gateway's routes would answer.
    app.use((_req, res) => void res.status(404).json({ statusCode: 404 }));
    server = app.listen(0, '127.0.0.1');
    await new Promise((ready) => server.once('listening', ready));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((done) => server.close(done)));

  const answer = async (path: string, accept?: string, method = 'GET') => {
    const res = await fetch(`${base}${path}`, { method, headers: accept ? { accept } : {} });
    return [path, res.status, res.headers.get('content-type')?.split(';')[0]];
  };

  it('answers a browser\'s page requests with index.html, never the gateway\'s own paths', async () => {
    expect(await answer('/', BROWSER)).toEqual(['/', 200, 'text/html']);
    expect(await answer('/orders/0b6f', BROWSER)).toEqual(['/orders/0b6f', 200, 'text/html']);
    // A page whose name starts like a server path is the console's.
    expect(await answer('/apiary', BROWSER)).toEqual(['/apiary', 200, 'text/html']);
    // A missing built file is a 404, not index.html (a stale bundle would be parsed as HTML); case-blind as routing.
    for (const path of ['/api', '/api/v1/orders', '/api/orders', '/health', '/health/ready', '/metrics', '/Metrics', '/API/v1/orders', '/docs', '/docs/', '/docs-json', '/assets/missing.js']) {
      expect(await answer(path, BROWSER)).toEqual([path, 404, 'application/json']);
    }
  });

  it('leaves API clients (JSON, curl\'s */*) and other methods to the routes', async () => {
    expect(await answer('/orders', 'application/json')).toEqual(['/orders', 404, 'application/json']);
    expect(await answer('/orders', '*/*')).toEqual(['/orders', 404, 'application/json']);
    expect(await answer('/orders')).toEqual(['/orders', 404, 'application/json']);
    expect(await answer('/orders', BROWSER, 'POST')).toEqual(['/orders', 404, 'application/json']);
  });

  it('caches only the hashed files for good, whatever folder the install sits in', async () => {
    const built = join(mkdtempSync(join(tmpdir(), 'console-')), 'assets', 'dist');
    mkdirSync(join(built, 'assets'), { recursive: true });
    writeFileSync(join(built, 'index.html'), '<!doctype html>');
    writeFileSync(join(built, 'assets', 'index-abc.js'), 'export {};');
    const app = { useStaticAssets: jest.fn(), use: jest.fn() };
    serveConsole(app as unknown as NestExpressApplication, built);
    const { setHeaders } = app.useStaticAssets.mock.calls[0][1] as { setHeaders: (res: { setHeader: jest.Mock }, path: string) => void };
    const cacheOf = (path: string) => {
      const res = { setHeader: jest.fn() };
      setHeaders(res, path);
      return res.setHeader.mock.calls[0][1];
    };
    expect(cacheOf(join(built, 'index.html'))).toBe('no-cache');
    expect(cacheOf(join(built, 'assets', 'index-abc.js'))).toBe('public, max-age=31536000, immutable');
  });

  it('is served only once built: the unbuilt index.html (no assets/) is not', () => {
    const built = mkdtempSync(join(tmpdir(), 'console-'));
    writeFileSync(join(built, 'index.html'), '<!doctype html>');
    const app = { useStaticAssets: jest.fn(), use: jest.fn() };
    expect(serveConsole(app as unknown as NestExpressApplication, built)).toBe(false);
    expect(app.use).not.toHaveBeenCalled();
    mkdirSync(join(built, 'assets'));
    expect(serveConsole(app as unknown as NestExpressApplication, built)).toBe(true);
    expect(app.useStaticAssets).toHaveBeenCalledWith(built, expect.objectContaining({ index: false }));
    expect(app.use).toHaveBeenCalledTimes(1);
  });
});
