import 'reflect-metadata';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppModule } from './app.module';
import { SandboxOptions } from './sandbox-options';

export type CreateSandboxOptions = Partial<SandboxOptions>;

/**
 * Builds and starts a sandbox. Defaults suit tests: a random free port on 127.0.0.1,
 * real-time clock, rate limits on, Nest logging off.
 */
export async function createSandboxApp(options: CreateSandboxOptions = {}): Promise<INestApplication> {
  const resolved: SandboxOptions = {
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    timeScale: options.timeScale ?? 1,
    rateLimits: options.rateLimits ?? true,
    logger: options.logger ?? false,
  };
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(resolved), { logger: resolved.logger, bodyParser: true });
  // Feed uploads are raw bytes of any content type (like a PUT to S3): collect them before the JSON/form parsers run.
  app.use('/_sandbox/uploads', (req: IncomingMessage & { rawUpload?: Buffer; _body?: boolean }, _res: unknown, next: (err?: unknown) => void) => {
    if (req.method !== 'PUT') return next();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      req.rawUpload = Buffer.concat(chunks);
      req._body = true; // tells body-parser the body is already read
      next();
    });
    req.on('error', next);
  });
  // LWA posts form-encoded bodies; explicit test orders may be large.
  // SQS's JSON protocol (AWS JSON 1.0) posts application/x-amz-json-1.0.
  app.useBodyParser('json', { limit: '10mb', type: ['application/json', 'application/*+json', 'application/x-amz-json-1.0'] });
  app.useBodyParser('urlencoded', { extended: false, limit: '1mb' });
  // SP-API sends no ETags; Express would hash every response body (each order page) to make one.
  app.set('etag', false);
  app.enableShutdownHooks();
  await app.listen(resolved.port, resolved.host);
  return app;
}

/** Base URL of a started sandbox (0.0.0.0 is reported as 127.0.0.1 so clients can use it). */
export function sandboxBaseUrl(app: INestApplication): string {
  const address = app.getHttpServer().address() as AddressInfo;
  const host = address.address === '0.0.0.0' || address.address === '::' ? '127.0.0.1' : address.address.includes(':') ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}
