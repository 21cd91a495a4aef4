import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadSettings } from '@connector/platform';
import { GatewayModule } from '../app.module';
import { GatewaySettings } from '../gateway.settings';
import { openApiDocument } from './document';

/** Where the committed document is: beside the gateway's sources. */
export const OPENAPI_FILE = 'apps/gateway/openapi.json';

/** The document as committed: stable key order as Nest builds it, two-space indents, a final newline. */
export async function openApiText(): Promise<string> {
  // A preview application: the routes and their metadata, without connecting to PostgreSQL or NATS.
  const settings = loadSettings(GatewaySettings, { LOG_LEVEL: 'error' });
  const app = await NestFactory.create(GatewayModule.forRoot(settings), { preview: true, logger: false });
  try {
    return `${JSON.stringify(await openApiDocument(app), null, 2)}\n`;
  } finally {
    await app.close();
  }
}

/** Second step of `npm run openapi` (after the plugin metadata is written and compiled). */
if (require.main === module) {
  void openApiText().then((text) => {
    const target = resolve(__dirname, '../../../../..', OPENAPI_FILE);
    writeFileSync(target, text);
    process.stdout.write(`wrote ${OPENAPI_FILE}\n`);
  });
}
