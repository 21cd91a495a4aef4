import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { connect } from 'nats';
import { Client } from 'pg';

export const POSTGRES_ADMIN_URL = process.env.DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

/**
 * An isolated place for one test file on the shared PostgreSQL and NATS: its own database
 * and its own NATS namespace (subjects and stream), removed afterwards.
 */
export interface TestEnvironmentOptions {
  /** A PostgreSQL of the test's own (a PostgresCluster) instead of the shared one. */
  postgresAdminUrl?: string;
  /** A nats-server of the test's own instead of the shared one. */
  natsUrl?: string;
}

export class TestEnvironment {
  readonly postgresAdminUrl: string;
  readonly natsUrl: string;

  constructor(options: TestEnvironmentOptions = {}) {
    this.postgresAdminUrl = options.postgresAdminUrl ?? POSTGRES_ADMIN_URL;
    this.natsUrl = options.natsUrl ?? NATS_URL;
  }

  readonly id = `t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  readonly databaseName = `connector_${this.id}`;
  readonly namespace = this.id;

  get databaseUrl(): string {
    const url = new URL(this.postgresAdminUrl);
    url.pathname = `/${this.databaseName}`;
    return url.toString();
  }

  private created = false;

  /** Creates the database (once: a test may prepare it before starting a system on it). */
  async setUp(): Promise<this> {
    if (this.created) return this;
    await this.admin((client) => client.query(`create database "${this.databaseName}"`));
    this.created = true;
    return this;
  }

  async tearDown(): Promise<void> {
    await this.admin((client) => client.query(`drop database if exists "${this.databaseName}" with (force)`)).catch(() => undefined);
    // A server of the test's own may be gone already (a fault test stops it first).
    const nc = await connect({ servers: this.natsUrl, timeout: 3000, reconnect: false }).catch(() => undefined);
    if (!nc) return;
    try {
      const jsm = await nc.jetstreamManager();
      // Every stream within this namespace's subjects (the event stream): found by subject, so
      // this library needs nothing of the messaging library it helps to test.
      for await (const stream of jsm.streams.names(`${this.namespace}.>`)) await jsm.streams.delete(stream).catch(() => undefined);
    } finally {
      await nc.close();
    }
  }

  /** Runs SQL against this test's database. */
  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new Client({ connectionString: this.databaseUrl });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  private async admin<T>(work: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client({ connectionString: this.postgresAdminUrl });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
