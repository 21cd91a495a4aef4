import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { GatewaySettings } from './gateway.settings';

/** HTTP set-up beside the module's global guard, pipe and filter: OpenAPI at /docs and /docs-json. */
export function setupGateway(app: INestApplication, _settings?: GatewaySettings): void {
  (app.getHttpAdapter().getInstance() as { disable?: (setting: string) => void }).disable?.('x-powered-by');
  const config = new DocumentBuilder()
    .setTitle('Amazon order connector')
    .setDescription(
      'Seller accounts, marketplaces, sales orders, partners, products, deliveries, stock and what was told to Amazon. ' +
        'Every route under /api needs `Authorization: Bearer <api key>`. Lists take `limit` and an opaque `cursor` ' +
        'and return `{ items, nextCursor }`. Errors are `{ statusCode, error, message, details? }`.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'an API key from GATEWAY_API_KEYS' })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
