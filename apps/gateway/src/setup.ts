import { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { Logger } from '@nestjs/common';
import { SwaggerModule } from '@nestjs/swagger';
import { json, type RequestHandler } from 'express';
import { IMPORT_ACCOUNTS_BODY_LIMIT } from '@connector/contracts';
import { httpRequestMetrics } from '@connector/platform';
import { API_V1, unversionedRedirect } from './common/api-version';
import { serveConsole } from './console/console-files';
import { requestSanity } from './common/request-sanity';
import type { GatewaySettings } from './gateway.settings';
import { openApiDocument } from './openapi/document';
import { bearerKey } from './access/access.guard';

/**
 * HTTP set-up beside the module's global guard, pipe and filter: the redirects of unversioned
 * paths, OpenAPI at /docs (UI) and /docs-json, the operator console at /.
 */
export async function setupGateway(app: INestApplication, settings?: GatewaySettings): Promise<void> {
  (app.getHttpAdapter().getInstance() as { disable?: (setting: string) => void }).disable?.('x-powered-by');
  // First: it times every request, those refused or redirected before a route too.
  app.use(httpRequestMetrics);
  // Security headers (CSP, HSTS, nosniff, frame-ancestors...). Swagger UI at /docs loads its
  // scripts from files, so the default policy serves it.
  // No upgrade-insecure-requests: the gateway serves plain HTTP behind a TLS proxy or on
  // 127.0.0.1, where upgrading /docs's own scripts to https would break the page.
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));
  // Before the body parsers: a redirect reads no body.
  app.use(unversionedRedirect);
  // Static files and the console's pages (GET only, never under /api, /health, /metrics, /docs).
  // Not built (tsc -b alone, an image without build:console): said once, as the launcher prints its address.
  if (!serveConsole(app as NestExpressApplication) && process.env.NODE_ENV !== 'test') {
    new Logger('Console').warn('the console is not built (dist/apps/console missing): not served at /; npm run build builds it');
  }
  // Registered before Nest's own parser, so this limit is the one that applies (413 beyond it).
  // An import of accounts takes more (up to IMPORT_ACCOUNTS_MAX of them): its own parser, first; the
  // general one then finds the body read.
  const bodyLimit = settings?.GATEWAY_BODY_LIMIT ?? '100kb';
  app.use(`/${API_V1}/accounts/import`, importBodyParser(Math.max(sizeInBytes(bodyLimit), sizeInBytes(IMPORT_ACCOUNTS_BODY_LIMIT))));
  (app as NestExpressApplication).useBodyParser('json', { limit: bodyLimit });
  (app as NestExpressApplication).useBodyParser('urlencoded', { limit: bodyLimit, extended: false });
  // After both parsers, so it sees every body.
  app.use(requestSanity);
  SwaggerModule.setup('docs', app, await openApiDocument(app), { jsonDocumentUrl: 'docs-json' });
}

/**
 * The import's larger JSON parser, only for requests with a bearer key: the guards (which check the
 * key) run after the body is parsed, so a caller without one gets GATEWAY_BODY_LIMIT, not 1 MiB.
 * A wrong key still gets the larger parse (checking it here would look it up before the rate limit).
 * Its 413 says its own limit (http-error.filter, `bodyLimitName`).
 */
function importBodyParser(limitBytes: number): RequestHandler {
  const parse = json({ limit: limitBytes });
  return (req, res, next) => {
    if (!bearerKey(req.headers.authorization)) return next();
    parse(req, res, (err?: unknown) => {
      const tooLarge = (err as { type?: unknown } | undefined)?.type === 'entity.too.large';
      next(tooLarge ? Object.assign(err as object, { bodyLimitName: `an import of accounts (${Math.round(limitBytes / 1024)} KiB, the larger of 1 MiB and GATEWAY_BODY_LIMIT): send fewer accounts per request` }) : err);
    });
  };
}

/** A body size as GATEWAY_BODY_LIMIT writes it (`100kb`, `1mb`, bytes), in bytes. */
export function sizeInBytes(size: string): number {
  const match = /^(\d+)(b|kb|mb)?$/i.exec(size.trim());
  if (!match) throw new Error(`not a size: ${size}`);
  const unit = { b: 1, kb: 1024, mb: 1024 * 1024 }[(match[2] ?? 'b').toLowerCase() as 'b' | 'kb' | 'mb'];
  return Number(match[1]) * unit;
}
