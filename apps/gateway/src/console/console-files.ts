import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';

/** Where `npm run build` puts the console (vite build apps/console): beside the gateway in dist/apps. */
export const CONSOLE_DIR = resolve(__dirname, '../../../console');

/** Paths that are the gateway's own: never the console's, whatever the client accepts. */
const SERVER_PATHS = /^\/(api|health|metrics|docs|docs-json)(?=\/|\?|$)/;

/** A browser opening a page of the console (/orders/<id>), not an API client or a file. */
export function isConsolePage(req: Pick<Request, 'method' | 'path' | 'headers'>): boolean {
  return (req.method === 'GET' || req.method === 'HEAD') && !SERVER_PATHS.test(req.path) && /\btext\/html\b/.test(req.headers.accept ?? '');
}

/**
 * The operator console at /: its files, and index.html for any of its pages, so a page's address
 * can be reloaded or shared (the console routes in the browser). Only once it is built: beside the
 * sources (ts-jest) the folder holds the unbuilt index.html, whose scripts would not run.
 * The files are scripts and styles from 'self' only, which helmet's CSP allows.
 */
export function serveConsole(app: NestExpressApplication, dir = CONSOLE_DIR): boolean {
  const index = join(dir, 'index.html');
  if (!existsSync(index) || !existsSync(join(dir, 'assets'))) return false;
  app.useStaticAssets(dir, {
    index: false,
    // Vite names every asset by its content: cached for good; index.html is read again each time.
    setHeaders: (res, path) => res.setHeader('cache-control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache'),
  });
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (!isConsolePage(req)) return next();
    res.setHeader('cache-control', 'no-cache');
    res.sendFile(index);
  });
  return true;
}
