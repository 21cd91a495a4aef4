import { existsSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { prefersHtml } from '../authorizations/callback-page';

/** Where `npm run build` puts the console (vite build apps/console): beside the gateway in dist/apps. */
export const CONSOLE_DIR = resolve(__dirname, '../../../console');

/**
 * Paths that are never a console page, whatever the client accepts: the gateway's own, and the
 * console's built files (a missing bundle is a 404, not index.html parsed as a script). Case-blind
 * as express's routing is.
 */
const NOT_PAGES = /^\/(api|health|metrics|docs|docs-json|assets)(?=\/|$)/i;

/**
 * index.html for a browser opening a page of the console (/orders/<id>): the console routes in the
 * browser, so a page's address can be reloaded or shared. An API client (JSON or curl's *\/*), a
 * non-GET and the gateway's own paths go on to their routes (or their 404).
 */
export function consolePages(index: string) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || NOT_PAGES.test(req.path) || !prefersHtml(req)) return next();
    res.setHeader('cache-control', 'no-cache');
    res.sendFile(index);
  };
}

/**
 * The operator console at /: its files and its pages. Only once it is built: beside the sources
 * (ts-jest) the folder holds the unbuilt index.html, whose scripts would not run. The files are
 * scripts and styles from 'self' only, which helmet's CSP allows.
 */
export function serveConsole(app: NestExpressApplication, dir = CONSOLE_DIR): boolean {
  const index = join(dir, 'index.html');
  if (!existsSync(index) || !existsSync(join(dir, 'assets'))) return false;
  app.useStaticAssets(dir, {
    index: false,
    // Vite names every asset by its content: cached for good; index.html is read again each time.
    // Judged on the path inside the console's folder: a folder named assets above it must not make index.html immutable.
    setHeaders: (res, path) => res.setHeader('cache-control', relative(dir, path).split(sep)[0] === 'assets' ? 'public, max-age=31536000, immutable' : 'no-cache'),
  });
  app.use(consolePages(index));
  return true;
}
