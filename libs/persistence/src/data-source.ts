import { Client } from 'pg';
import { DataSource, DataSourceOptions, MixedList, EntitySchema } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { SnakeNamingStrategy } from './snake-naming.strategy';
import { SqlErrorLogger } from './sql-logger';

export interface ServiceDataSourceConfig {
  url: string;
  /** The service's own schema; it reads and writes nothing else. */
  schema: string;
  entities: MixedList<Function | string | EntitySchema>;
  migrations: MixedList<Function | string>;
  poolSize?: number;
}

/** One schema per service, its own migrations table, and never `synchronize`. */
export function serviceDataSourceOptions(config: ServiceDataSourceConfig): PostgresConnectionOptions {
  return {
    type: 'postgres',
    url: config.url,
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
    extra: { max: config.poolSize ?? 10, application_name: config.schema, options: `-c search_path="${config.schema}"` },
  };
}

/**
 * Runs the service's pending migrations. Replicas may start together, so the work is done
 * under a PostgreSQL advisory lock named after the schema: one migrates, the others wait
 * and then find nothing left to do.
 */
export async function runMigrations(options: DataSourceOptions & { schema?: string; url?: string }): Promise<string[]> {
  const schema = options.schema ?? 'public';
  const lock = new Client({ connectionString: options.url });
  await lock.connect();
  try {
    await lock.query('select pg_advisory_lock(hashtext($1))', [`migrations:${schema}`]);
    await lock.query(`create schema if not exists "${schema}"`);
    const extra = (options as { extra?: object }).extra ?? {};
    const dataSource = new DataSource({ ...options, extra: { ...extra, max: 2 } } as DataSourceOptions);
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
