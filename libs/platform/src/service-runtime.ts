import { DynamicModule, INestApplication, INestMicroservice, Logger, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { natsInboxPrefix } from '@connector/contracts';
import { runMigrations } from '@connector/persistence';
import { loadSettings, ServiceSettings, SettingsError } from './config';
import { NamespacedNatsServer } from './namespaced-nats';
import { natsConnectionOptions } from './nats-connection';
import { checkNats, checkPostgres, UnreachableDependency, UnsafeDependency } from './preflight';
import { RpcErrorFilter, rpcValidationPipe } from './rpc';
import { cacheValidationMetadata } from './validation';

export interface ServiceDefinition<S extends ServiceSettings> {
  /** Also the NATS queue group, so replicas share requests. */
  name: string;
  settings: new () => S;
  /** The service's schema; its migrations run before the app starts. */
  dataSource?: (settings: S) => PostgresConnectionOptions;
  appModule: (settings: S) => DynamicModule;
  /** For the gateway: an HTTP server beside the NATS listener. */
  http?: {
    port: (settings: S) => number;
    /** The address to listen on. */
    host: (settings: S) => string;
    setup: (app: INestApplication, settings: S) => void | Promise<void>;
  };
}

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/**
 * Starts a service the same way everywhere: validated settings, a one-line error and exit 1
 * when PostgreSQL or NATS is unreachable, migrations, then the NestJS app on NATS.
 */
export async function runService<S extends ServiceSettings>(definition: ServiceDefinition<S>): Promise<void> {
  const logger = new Logger(definition.name);
  cacheValidationMetadata();
  let settings: S;
  try {
    settings = loadSettings(definition.settings);
    if (definition.dataSource) await checkPostgres(settings.DATABASE_URL);
    await checkNats(settings.NATS_URL, natsConnectionOptions(settings), { requireAuthentication: settings.NODE_ENV === 'production' });
    if (definition.dataSource) {
      const applied = await runMigrations(definition.dataSource(settings));
      if (applied.length) logger.log(`applied migrations: ${applied.join(', ')}`);
    }
  } catch (err) {
    if (err instanceof SettingsError || err instanceof UnreachableDependency || err instanceof UnsafeDependency) {
      process.stderr.write(`${definition.name}: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logLevels = LEVELS.slice(0, LEVELS.indexOf(settings.LOG_LEVEL as LogLevel) + 1);
  const strategy = new NamespacedNatsServer(settings.NATS_NAMESPACE, {
    ...natsConnectionOptions(settings),
    inboxPrefix: natsInboxPrefix(definition.name),
    queue: definition.name,
    name: definition.name,
    maxReconnectAttempts: -1,
  });
  let app: INestApplication | INestMicroservice;
  if (definition.http) {
    const http = await NestFactory.create(definition.appModule(settings), { logger: logLevels });
    http.connectMicroservice({ strategy }, { inheritAppConfig: false });
    await definition.http.setup(http, settings);
    http.enableShutdownHooks();
    await http.startAllMicroservices();
    await http.listen(definition.http.port(settings), definition.http.host(settings));
    process.stdout.write(`${definition.name}: HTTP on ${await http.getUrl()}\n`);
    app = http;
  } else {
    const microservice = await NestFactory.createMicroservice(definition.appModule(settings), {
      strategy,
      logger: logLevels,
    });
    microservice.useGlobalPipes(rpcValidationPipe());
    microservice.useGlobalFilters(new RpcErrorFilter());
    microservice.enableShutdownHooks();
    await microservice.listen();
    app = microservice;
  }
  // Printed whatever LOG_LEVEL says: launchers and tests wait for this line.
  process.stdout.write(`${definition.name}: ready (NATS queue group "${definition.name}", namespace "${settings.NATS_NAMESPACE}")\n`);
  process.on('unhandledRejection', (reason) => logger.error(`unhandled rejection: ${String(reason)}`));
  void app;
}

export function startService<S extends ServiceSettings>(definition: ServiceDefinition<S>): void {
  runService(definition).catch((err) => {
    process.stderr.write(`${definition.name}: failed to start: ${err?.stack ?? err}\n`);
    process.exit(1);
  });
}
