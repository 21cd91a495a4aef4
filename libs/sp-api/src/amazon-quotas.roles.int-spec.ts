import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { runMigrations, serviceDataSourceOptions } from '@connector/persistence';
import { POSTGRES_ADMIN_URL, TestEnvironment } from '@connector/test-environment';
import { SharedQuotas } from './amazon-quotas';
import { AmazonQuotas1766000000600 } from './amazon-quotas.migration';

const OWNER = { sellerId: 'A2ROLES', clientId: 'roles-app', endpoint: 'https://sellingpartnerapi-eu.amazon.com' };

/**
 * An install whose per-service roles were made by the roles script of before Amazon's shared
 * quotas (connect and create on the database, each its own schema; no amazon_quotas), upgraded:
 * whichever of order-ingestion and amazon-notifications migrates first, both take tokens.
 */
describe("Amazon's quotas with a PostgreSQL role per service (real roles, the upgrade path)", () => {
  const admin = new URL(POSTGRES_ADMIN_URL);
  const prefix = `q${Date.now().toString(36)}_`;
  const [ingestion, notifications, owner] = [`${prefix}ingestion`, `${prefix}notifications`, `${prefix}amazon_quotas`];
  const envs: TestEnvironment[] = [];
  const pools: DataSource[] = [];

  const urlAs = (env: TestEnvironment, role: string) => {
    const url = new URL(env.databaseUrl);
    url.username = role;
    url.password = `${role}-password`;
    return url.toString();
  };
  /** The database as the older roles script left it. */
  const oldInstall = async () => {
    const env = await new TestEnvironment().setUp();
    envs.push(env);
    for (const role of [ingestion, notifications]) {
      await env.query(`grant connect, create on database "${env.databaseName}" to "${role}"`);
      await env.query(`create schema "${role.slice(prefix.length)}" authorization "${role}"`);
    }
    return env;
  };
  /** A service starting: its migrations as its role, then a take from the shared bucket. */
  const start = async (env: TestEnvironment, role: string) => {
    const schema = role.slice(prefix.length);
    const options = serviceDataSourceOptions({ database: urlAs(env, role), schema, entities: [], migrations: [AmazonQuotas1766000000600] });
    await runMigrations({ ...options, schema, url: urlAs(env, role) } as never);
    const db = await new DataSource(options).initialize();
    pools.push(db);
    const quotas = new SharedQuotas(db);
    await quotas.quota(OWNER, 'searchOrders').take();
    expect(quotas.isAway()).toBe(false);
    return db;
  };
  const rolesScript = (env: TestEnvironment) =>
    execFileSync('sh', [resolve(__dirname, '../../../docker/postgres/create-service-roles.sh')], {
      env: {
        ...process.env,
        PGHOST: admin.hostname,
        PGPORT: admin.port || '5432',
        PGUSER: decodeURIComponent(admin.username || 'postgres'),
        POSTGRES_DB: env.databaseName,
        DB_ROLE_PREFIX: prefix,
        ...Object.fromEntries(
          Object.entries({ ORDER_INGESTION: 'ingestion', PARTNER_RESOLUTION: 'partners', INVENTORY: 'inventory', AMAZON_NOTIFICATIONS: 'notifications', GATEWAY: 'access' }).map(([name, schema]) => [`DB_PASSWORD_${name}`, `${prefix}${schema}-password`]),
        ),
      },
      stdio: 'pipe',
    });

  beforeAll(async () => {
    const client = new Client({ connectionString: POSTGRES_ADMIN_URL });
    await client.connect();
    for (const role of [ingestion, notifications]) await client.query(`create role "${role}" login password '${role}-password'`);
    await client.end();
  });
  afterAll(async () => {
    await Promise.all(pools.map((db) => db.destroy().catch(() => undefined)));
    await Promise.all(envs.map((env) => env.tearDown()));
    const client = new Client({ connectionString: POSTGRES_ADMIN_URL });
    await client.connect();
    for (const role of [ingestion, notifications, owner, `${prefix}partners`, `${prefix}inventory`, `${prefix}access`]) await client.query(`drop role if exists "${role}"`).catch(() => undefined);
    await client.end();
  });

  it.each([
    ['order-ingestion', ingestion, notifications],
    ['amazon-notifications', notifications, ingestion],
  ])('%s migrating first: the other service reaches the schema and takes tokens from the same rows', async (_, first, second) => {
    const env = await oldInstall();
    await start(env, first);
    const db = await start(env, second);
    // One row, both takes in it (searchOrders: burst 20, one short, less two tokens; a token a minute back).
    const rows = await db.query(`select tokens from amazon_quotas.buckets`);
    expect(rows).toHaveLength(1);
    expect(rows[0].tokens).toBeLessThan(18);
    expect(rows[0].tokens).toBeGreaterThanOrEqual(17);
  });

  it('the roles script run again (or on a new volume): a role of its own owns the tables, so either service may change them in a later migration', async () => {
    const env = await oldInstall();
    await start(env, ingestion);
    rolesScript(env);
    await start(env, notifications);
    const [{ tableowner }] = await env.query<{ tableowner: string }>(`select tableowner from pg_tables where schemaname = 'amazon_quotas' and tablename = 'buckets'`);
    expect(tableowner).toBe(owner);
    for (const role of [ingestion, notifications]) {
      const client = new Client({ connectionString: urlAs(env, role) });
      await client.connect();
      try {
        await client.query('begin');
        await client.query('alter table amazon_quotas.buckets add column changed_by_a_later_migration int');
        await client.query('rollback');
      } finally {
        await client.end();
      }
    }

    // A new volume: the script first, then the services; the tables are the shared role's from the start.
    const fresh = await new TestEnvironment().setUp();
    envs.push(fresh);
    rolesScript(fresh);
    await start(fresh, notifications);
    await start(fresh, ingestion);
    const [made] = await fresh.query<{ tableowner: string }>(`select tableowner from pg_tables where schemaname = 'amazon_quotas' and tablename = 'buckets'`);
    expect(made.tableowner).toBe(owner);
  });
});
