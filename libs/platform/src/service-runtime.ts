import type { Server } from 'node:http';
import { DynamicModule, INestApplication, Logger, Module } from '@nestjs/common';
import type { Logger as PinoInstance } from 'pino';
import { NestFactory } from '@nestjs/core';
import type { NestMicroservice } from '@nestjs/microservices';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { natsInboxPrefix } from '@connector/contracts';
import { runMigrations } from '@connector/persistence';
import { ManagementModule, MANAGEMENT_PORTS, NATS_LISTENER, NatsListener, startProcessMetrics } from './management';
import { loadSettings, ServiceSettings, SettingsError } from './config';
import { NamespacedNatsServer } from './namespaced-nats';
import { natsConnectionOptions } from './nats-connection';
import { accessLogMiddleware, correlationMiddleware, createRootLogger, nestLoggerOf } from './logging';
import { checkNats, checkPostgres, UnreachableDependency, UnsafeDependency } from './preflight';
import { RpcErrorFilter, rpcValidationPipe } from './rpc';
import { exitOnSignals } from './shutdown';
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

/**
 * Starts a service the same way everywhere: validated settings, a one-line error and exit 1
 * when PostgreSQL or NATS is unreachable, migrations, then the NestJS app on NATS; and stops it
 * the same way on SIGTERM/SIGINT (exitOnSignals): intake first, then the app's shutdown hooks,
 * within SHUTDOWN_TIMEOUT_SECONDS.
 */
export async function runService<S extends ServiceSettings>(definition: ServiceDefinition<S>): Promise<void> {
  // Made once the settings (LOG_LEVEL, LOG_FORMAT) are read.
  let log: PinoInstance | undefined;
  // A promise nobody handles is a bug: said with its stack (tests fail on this line, see libs/local-system).
  process.on('unhandledRejection', (reason) => {
    const line = `unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`;
    if (log) log.error({ context: definition.name }, line);
    else process.stderr.write(`${definition.name}: ${line}\n`);
  });
  cacheValidationMetadata();
  let settings: S;
  try {
    settings = loadSettings(definition.settings);
    log = createRootLogger({ service: definition.name, level: settings.LOG_LEVEL, format: settings.LOG_FORMAT });
    // Every `new Logger(context)` of the service writes through it, from here on.
    Logger.overrideLogger(nestLoggerOf(log));
    if (definition.dataSource) await checkPostgres(settings.DATABASE_URL);
    await checkNats(settings.NATS_URL, natsConnectionOptions(settings), { requireAuthentication: settings.NODE_ENV === 'production' });
    if (definition.dataSource) {
      const applied = await runMigrations(definition.dataSource(settings));
      if (applied.length) log.info({ context: definition.name }, `applied migrations: ${applied.join(', ')}`);
    }
  } catch (err) {
    if (err instanceof SettingsError || err instanceof UnreachableDependency || err instanceof UnsafeDependency) {
      process.stderr.write(`${definition.name}: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = nestLoggerOf(log!);
  const strategy = new NamespacedNatsServer(settings.NATS_NAMESPACE, {
    ...natsConnectionOptions(settings),
    inboxPrefix: natsInboxPrefix(definition.name),
    queue: definition.name,
    name: definition.name,
    maxReconnectAttempts: -1,
  });
  startProcessMetrics(definition.name);
  // Every service is a hybrid app: its NATS listener, and an HTTP server (the gateway's API, or a
  // small management server with health and metrics for the others).
  const rootModule = withRuntime(definition.appModule(settings), strategy, !definition.http);
  const app = await NestFactory.create(rootModule, { logger });
  // Before the app's own middleware: the request's correlation id, then its access line (health
  // probes and scrapes at debug).
  app.use(correlationMiddleware(), accessLogMiddleware(log!));
  // Deferred: the RPC pipe and filter must be in place before its listeners are bound.
  const microservice = app.connectMicroservice({ strategy }, { inheritAppConfig: false, deferInitialization: true }) as NestMicroservice;
  // The app's init runs the lifecycle hooks (onModuleInit...) of the modules they share, once.
  microservice.setIsInitHookCalled(true);
  let port: number;
  let host: string;
  if (definition.http) {
    await definition.http.setup(app, settings);
    port = definition.http.port(settings);
    host = definition.http.host(settings);
  } else {
    microservice.useGlobalPipes(rpcValidationPipe());
    microservice.useGlobalFilters(new RpcErrorFilter());
    port = settings.MANAGEMENT_PORT ?? managementPortOf(definition.name);
    host = settings.MANAGEMENT_HOST;
  }
  // Features are set up (onModuleInit, onApplicationBootstrap) before the first request comes.
  await app.init();
  await app.startAllMicroservices();
  await app.listen(port, host);
  // Printed whatever LOG_LEVEL says: launchers and tests read the URL from this line.
  process.stdout.write(`${definition.name}: ${definition.http ? 'HTTP' : 'management HTTP'} on ${await app.getUrl()}\n`);
  const stopIntake = async () => {
    if (definition.http) await stopHttp(app.getHttpServer() as Server);
    await strategy.stopTakingRequests();
    // Health and metrics answer while the NATS intake drains; a scraper's kept-alive connection
    // must not hold the exit up.
    if (!definition.http) await stopHttp(app.getHttpServer() as Server);
  };
  // Nest's own signal handling (enableShutdownHooks) is not used: it stops intake only after the
  // hooks, waits for ever on a hook that hangs, ignores a second signal and exits by the signal.
  exitOnSignals({
    name: definition.name,
    timeoutMs: settings.SHUTDOWN_TIMEOUT_SECONDS * 1000,
    stopIntake,
    // Nest passes the signal on to the hooks (the HTTP app does; its typing omits the parameter).
    close: (signal) => (app as unknown as { close(signal?: string): Promise<void> }).close(signal),
  });
  // Printed whatever LOG_LEVEL says: launchers and tests wait for this line.
  process.stdout.write(`${definition.name}: ready (NATS queue group "${definition.name}", namespace "${settings.NATS_NAMESPACE}")\n`);
}

@Module({})
class ServiceRootModule {}
@Module({})
class NatsListenerModule {}

/** The service's own module, its NATS listener for readiness to ping, and (`management`) the routes of its management server. */
function withRuntime(appModule: DynamicModule, listener: NatsListener, management: boolean): DynamicModule {
  const nats: DynamicModule = { module: NatsListenerModule, global: true, providers: [{ provide: NATS_LISTENER, useValue: listener }], exports: [NATS_LISTENER] };
  return { module: ServiceRootModule, imports: [appModule, nats, ...(management ? [ManagementModule.forService()] : [])] };
}

/** A service of ours listens on its fixed port; any other (a test's stand-in) on a free one. */
function managementPortOf(service: string): number {
  return MANAGEMENT_PORTS[service as keyof typeof MANAGEMENT_PORTS] ?? 0;
}

/** Takes no new HTTP connections and resolves once the requests under way are answered. */
async function stopHttp(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Kept-alive connections close as soon as they are idle, not when their client lets them go.
  server.closeIdleConnections();
  const idle = setInterval(() => server.closeIdleConnections(), 100);
  try {
    await closed;
  } finally {
    clearInterval(idle);
  }
}

export function startService<S extends ServiceSettings>(definition: ServiceDefinition<S>): void {
  runService(definition).catch((err) => {
    process.stderr.write(`${definition.name}: failed to start: ${err?.stack ?? err}\n`);
    process.exit(1);
  });
}
