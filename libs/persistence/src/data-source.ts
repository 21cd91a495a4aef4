import { Client } from 'pg';
import { DataSource, DataSourceOptions, MixedList, EntitySchema } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { SnakeNamingStrategy } from './snake-naming.strategy';
import { SqlErrorLogger } from './sql-logger';

/**
 * How a service's connections to PostgreSQL behave when it is slow or gone: the settings of the
 * same names (libs/platform's ServiceSettings, where each is described). Unset ones take
 * DATABASE_DEFAULTS.
 */
export interface DatabaseSettings {
  DATABASE_URL: string;
  DATABASE_POOL_SIZE?: number;
  DATABASE_CONNECT_TIMEOUT_SECONDS?: number;
  DATABASE_STATEMENT_TIMEOUT_SECONDS?: number;
  DATABASE_LOCK_TIMEOUT_SECONDS?: number;
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_SECONDS?: number;
  DATABASE_POOL_IDLE_TIMEOUT_SECONDS?: number;
  DATABASE_KEEPALIVE_DELAY_SECONDS?: number;
}

export const DATABASE_DEFAULTS: Required<Omit<DatabaseSettings, 'DATABASE_URL'>> = {
  DATABASE_POOL_SIZE: 10,
  DATABASE_CONNECT_TIMEOUT_SECONDS: 10,
  DATABASE_STATEMENT_TIMEOUT_SECONDS: 30,
  DATABASE_LOCK_TIMEOUT_SECONDS: 10,
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_SECONDS: 60,
  DATABASE_POOL_IDLE_TIMEOUT_SECONDS: 10,
  DATABASE_KEEPALIVE_DELAY_SECONDS: 10,
};

/**
 * How much longer than statement_timeout a query may go without any answer before the client
 * gives up on it: the server's own cancel normally comes first (a clean error, the connection
 * kept); this catches a server or network that went silent, which the server cannot report.
 */
export const STALLED_QUERY_MARGIN_MS = 5000;

/**
 * A pg client that drops its connection when a query got no answer in time: left open, the
 * connection would go back to the pool still waiting for that answer, and every query given
 * to it later would wait behind it.
 */
export class StallSafeClient extends Client {
  override query(...args: any[]): any {
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      args[args.length - 1] = (err: Error | undefined, result: unknown) => {
        this.dropIfStalled(err);
        last(err, result);
      };
      return (Client.prototype.query as Function).apply(this, args);
    }
    const result = (Client.prototype.query as Function).apply(this, args);
    // A side branch only: the caller still gets (and handles) the original promise.
    if (result && typeof result.then === 'function') result.then(undefined, (err: Error) => this.dropIfStalled(err));
    return result;
  }

  private dropIfStalled(err: Error | undefined): void {
    // node-postgres's error for query_timeout; the socket's end fails the client, and the pool discards it.
    if (err?.message === 'Query read timeout') (this as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
  }
}

/** node-postgres pool and session settings from the service's database settings. */
export function postgresConnectionOptions(database: DatabaseSettings) {
  const setting = <K extends keyof typeof DATABASE_DEFAULTS>(key: K) => database[key] ?? DATABASE_DEFAULTS[key];
  const ms = (seconds: number) => Math.round(seconds * 1000);
  const statementTimeoutMs = ms(setting('DATABASE_STATEMENT_TIMEOUT_SECONDS'));
  return {
    Client: StallSafeClient,
    max: setting('DATABASE_POOL_SIZE'),
    connectionTimeoutMillis: ms(setting('DATABASE_CONNECT_TIMEOUT_SECONDS')),
    idleTimeoutMillis: ms(setting('DATABASE_POOL_IDLE_TIMEOUT_SECONDS')),
    // Server side: a statement, a lock wait or an idle open transaction past its time is ended by PostgreSQL.
    statement_timeout: statementTimeoutMs,
    lock_timeout: ms(setting('DATABASE_LOCK_TIMEOUT_SECONDS')),
    idle_in_transaction_session_timeout: ms(setting('DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_SECONDS')),
    // Client side: a server that went silent (no RST) cannot end anything itself.
    query_timeout: statementTimeoutMs + STALLED_QUERY_MARGIN_MS,
    keepAlive: true,
    keepAliveInitialDelayMillis: ms(setting('DATABASE_KEEPALIVE_DELAY_SECONDS')),
  };
}

export interface ServiceDataSourceConfig {
  /** The service's database settings, or only its URL (the defaults for the rest: tests). */
  database: string | DatabaseSettings;
  /** The service's own schema; it reads and writes nothing else. */
  schema: string;
  entities: MixedList<Function | string | EntitySchema>;
  migrations: MixedList<Function | string>;
}

/** One schema per service, its own migrations table, and never `synchronize`. */
export function serviceDataSourceOptions(config: ServiceDataSourceConfig): PostgresConnectionOptions {
  const database = typeof config.database === 'string' ? { DATABASE_URL: config.database } : config.database;
  return {
    type: 'postgres',
    url: database.DATABASE_URL,
    schema: config.schema,
    entities: config.entities,
    migrations: config.migrations,
    migrationsTableName: 'migrations',
    namingStrategy: new SnakeNamingStrategy(),
    migrationsRun: false,
    synchronize: false,
    logging: ['error'],
    logger: new SqlErrorLogger(),
    // Raw SQL (migrations, reports) finds the service's tables without qualifying them.
    extra: { ...postgresConnectionOptions(database), application_name: config.schema, options: `-c search_path="${config.schema}"` },
  };
}

/**
 * Runs the service's pending migrations. Replicas may start together, so the work is done
 * under a PostgreSQL advisory lock named after the schema: one migrates, the others wait
 * and then find nothing left to do.
 */
export async function runMigrations(options: DataSourceOptions & { schema?: string; url?: string }): Promise<string[]> {
  const schema = options.schema ?? 'public';
  const extra = (options as { extra?: Record<string, unknown> }).extra ?? {};
  // The pool's connect timeout and keepalive, but no statement or lock timeout: the lock is
  // waited for as long as another replica migrates.
  const lock = new StallSafeClient({ ...extra, statement_timeout: undefined, lock_timeout: undefined, query_timeout: undefined, connectionString: options.url });
  await lock.connect();
  try {
    await lock.query('select pg_advisory_lock(hashtext($1))', [`migrations:${schema}`]);
    await lock.query(`create schema if not exists "${schema}"`);
    // A migration may rewrite a large table: no statement or query timeout for it.
    const dataSource = new DataSource({ ...options, extra: { ...extra, max: 2, statement_timeout: undefined, query_timeout: undefined } } as DataSourceOptions);
    await dataSource.initialize();
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((migration) => migration.name);
    } finally {
      await dataSource.destroy();
    }
  } finally {
    await lock.query('select pg_advisory_unlock(hashtext($1))', [`migrations:${schema}`]).catch(() => undefined);
    await lock.end();
  }
}
