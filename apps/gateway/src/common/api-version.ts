import type { NextFunction, Request, Response } from 'express';

/** Every route of the public API is under this prefix (`/health` and `/docs` are not API routes). */
export const API_V1 = 'api/v1';

/**
 * When the unversioned paths were deprecated (RFC 9745 `Deprecation`, seconds since the epoch):
 * they redirect for one release and are then removed.
 */
export const UNVERSIONED_DEPRECATED_AT = 1796601600; // 2026-12-07

const UNVERSIONED = /^\/api(?=\/|\?|$)(?!\/v1(?:\/|\?|$))/;

/** The /api/v1 path an unversioned one moved to, or undefined if `url` is not an unversioned API path. */
export function versionedUrl(url: string): string | undefined {
  return UNVERSIONED.test(url) ? `/${API_V1}${url.slice('/api'.length)}` : undefined;
}

/**
 * `/api/...` answers 308 to `/api/v1/...`: 308, not 301/302, so a client keeps the method and
 * body (and a same-origin client its Authorization header). Before authentication and body
 * parsing: the redirect says nothing a caller could not read in the docs, and reads no body.
 */
export function unversionedRedirect(req: Request, res: Response, next: NextFunction): void {
  const location = versionedUrl(req.originalUrl);
  if (!location) return next();
  res
    .status(308)
    .set({
      location,
      deprecation: `@${UNVERSIONED_DEPRECATED_AT}`,
      link: `<${location}>; rel="successor-version"`,
    })
    .end();
}
