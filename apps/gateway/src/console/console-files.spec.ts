import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { isConsolePage, serveConsole } from './console-files';

const browser = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

describe('the console at /', () => {
  it('answers a browser\'s page requests, never the gateway\'s own paths nor API clients', () => {
    expect(isConsolePage({ method: 'GET', path: '/', headers: browser })).toBe(true);
    expect(isConsolePage({ method: 'GET', path: '/orders/0b6f', headers: browser })).toBe(true);
    expect(isConsolePage({ method: 'HEAD', path: '/quarantine', headers: browser })).toBe(true);
    for (const path of ['/api', '/api/v1/orders', '/api/orders', '/health', '/health/ready', '/metrics', '/docs', '/docs/', '/docs-json']) {
      expect([path, isConsolePage({ method: 'GET', path, headers: browser })]).toEqual([path, false]);
    }
    // A page of its own whose name starts like a server path is the console's.
    expect(isConsolePage({ method: 'GET', path: '/apiary', headers: browser })).toBe(true);
    expect(isConsolePage({ method: 'GET', path: '/orders', headers: { accept: 'application/json' } })).toBe(false);
    expect(isConsolePage({ method: 'GET', path: '/orders', headers: {} })).toBe(false);
    expect(isConsolePage({ method: 'POST', path: '/orders', headers: browser })).toBe(false);
  });

  it('is served only once built: the unbuilt index.html (no assets/) is not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'console-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html>');
    const app = { useStaticAssets: jest.fn(), use: jest.fn() };
    expect(serveConsole(app as unknown as NestExpressApplication, dir)).toBe(false);
    expect(app.use).not.toHaveBeenCalled();
    mkdirSync(join(dir, 'assets'));
    expect(serveConsole(app as unknown as NestExpressApplication, dir)).toBe(true);
    expect(app.useStaticAssets).toHaveBeenCalledWith(dir, expect.objectContaining({ index: false }));
    expect(app.use).toHaveBeenCalledTimes(1);
  });
});
