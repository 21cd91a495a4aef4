import { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { requestSanity } from './common/request-sanity';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { GatewaySettings } from './gateway.settings';

/** HTTP set-up beside the module's global guard, pipe and filter: OpenAPI at /docs and /docs-json. */
export function setupGateway(app: INestApplication, settings?: GatewaySettings): void {
  (app.getHttpAdapter().getInstance() as { disable?: (setting: string) => void }).disable?.('x-powered-by');
  // Security headers (CSP, HSTS, nosniff, frame-ancestors...). Swagger UI at /docs loads its
  // scripts from files, so the default policy serves it.
  // No upgrade-insecure-requests: the gateway serves plain HTTP behind a TLS proxy or on
  // 127.0.0.1, where upgrading /docs's own scripts to https would break the page.
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));
  // Registered before Nest's own parser, so this limit is the one that applies (413 beyond it).
  (app as NestExpressApplication).useBodyParser('json', { limit: settings?.GATEWAY_BODY_LIMIT ?? '100kb' });
  (app as NestExpressApplication).useBodyParser('urlencoded', { limit: settings?.GATEWAY_BODY_LIMIT ?? '100kb', extended: false });
  // After both parsers, so it sees every body.
  app.use(requestSanity);
  const config = new DocumentBuilder()
    .setTitle('Amazon order connector')
    .setDescription(
      'Seller accounts, marketplaces, sales orders, partners, products, deliveries, stock and what was told to Amazon. ' +
        'Every route under /api needs `Authorization: Bearer <api key>`. Lists take `limit` and an opaque `cursor` ' +
        'and return `{ items, nextCursor }`. Errors are `application/problem+json` (RFC 9457: `type`, `title`, `status`, `detail`) ' +
        'with `statusCode`, `error`, `message` and the failing fields in `details`.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'an API key from GATEWAY_API_KEYS' })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
