import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { runMigrations } from '@connector/persistence';
import { TestEnvironment } from '@connector/testing';
import { DataSource } from 'typeorm';
import { ingestionDataSource } from '../src/data-source';

/**
 * order-ingestion's schema on a database of the test file's own, migrated: `setUp()` in beforeAll,
 * `tearDown()` in afterAll (after whatever of the test still uses it has stopped).
 */
export class IngestionDatabase {
  readonly env = new TestEnvironment();
  private source?: DataSource;

  get db(): DataSource {
    if (!this.source) throw new Error('IngestionDatabase: setUp() first');
    return this.source;
  }

  async setUp(): Promise<DataSource> {
    await this.env.setUp();
    const options = ingestionDataSource(this.env.databaseUrl);
    await runMigrations(options);
    this.source = await new DataSource(options).initialize();
    return this.source;
  }

  async tearDown(): Promise<void> {
    await this.source?.destroy();
    await this.env.tearDown();
  }
}

/** A seller account row as the tests need it; the SQL expressions are PostgreSQL's (`now() - interval '1 day'`). */
export interface TestSellerAccount {
  id?: string;
  name?: string;
  sellerId: string;
  syncEnabled?: boolean;
  syncIntervalSeconds?: number;
  /** SQL */
  initialSyncFrom?: string;
  /** SQL */
  nextSyncAt?: string;
  /** SQL */
  createdAt?: string;
  /** Sealed secrets (anything for tests that never open them). */
  encryptedClientSecret?: string;
  encryptedRefreshToken?: string;
  /** Amazon's endpoints (default: nothing listens there). */
  apiEndpoint?: string;
  lwaEndpoint?: string;
  /** Held by this replica for an hour. */
  leaseOwner?: string;
}

/**
 * Inserts an account straight into the schema (no AccountsService: tests of the sync and the writer
 * want exact rows, not the API's checks). Answers its id.
 */
export async function insertSellerAccount(db: DataSource, account: TestSellerAccount): Promise<string> {
  const id = account.id ?? randomUUID();
  await db.query(
    `insert into ingestion.seller_accounts (id, name, seller_id, region, lwa_client_id, encrypted_client_secret, encrypted_refresh_token,
       marketplace_ids, orders_api, api_endpoint, lwa_endpoint, sync_enabled, sync_interval_seconds, initial_sync_from, next_sync_at, created_at,
       lease_owner, lease_expires_at)
     values ($1, $2, $3, 'EU', 'client', $4, $5, '{A1PA6795UKMFR9}', 'v2026-01-01', $6, $7, $8, $9,
       ${account.initialSyncFrom ?? 'now()'}, ${account.nextSyncAt ?? 'now()'}, ${account.createdAt ?? 'now()'},
       $10, case when $10::text is null then null else now() + interval '1 hour' end)`,
    [
      id,
      account.name ?? 'Test',
      account.sellerId,
      account.encryptedClientSecret ?? 'x',
      account.encryptedRefreshToken ?? 'y',
      account.apiEndpoint ?? 'http://127.0.0.1:1',
      account.lwaEndpoint ?? 'http://127.0.0.1:1',
      account.syncEnabled ?? true,
      account.syncIntervalSeconds ?? 3600,
      account.leaseOwner ?? null,
    ],
  );
  return id;
}
