import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { waitFor } from '@connector/testing';
import { amazonOrder, POSTGRES_ADMIN_URL, RunningSystem } from '@connector/testing';

const SELLER = { sellerId: 'A2DBROLES00001', clientId: 'roles-client', clientSecret: 'roles-secret', refreshToken: 'Atzr|roles', marketplaceIds: ['A1PA6795UKMFR9'] };
const SCHEMA_OF = { 'order-ingestion': 'ingestion', 'partner-resolution': 'partners', inventory: 'inventory', 'amazon-notifications': 'notifications', gateway: 'access' } as const;

const order = amazonOrder({
  orderId: '307-0000001-0000001',
  lastUpdatedTime: new Date(Date.now() - 180_000).toISOString(),
  buyer: { buyerName: 'Rolf Role', buyerEmail: 'rr@marketplace.amazon.de' },
  address: { name: 'Rolf Role', addressLine1: 'Schemaweg 1', city: 'Essen', postalCode: '45127' },
  items: [{ orderItemId: '57000000000001', sku: 'ROLE-CUP', quantity: 1, unitPrice: '9.00', tax: '1.44' }],
});

/**
 * docker/postgres/create-service-roles.sh gives each service a role that owns its schema and
 * nothing else (but Amazon's quotas, shared by the two services that call Amazon). The whole system runs with those roles (a whole FBM order), and no role reads
 * another service's schema.
 */
describe('each service as its own PostgreSQL role, owning only its schema', () => {
  const running = new RunningSystem();
  const prefix = `r${Date.now().toString(36)}_`;
  const admin = new URL(POSTGRES_ADMIN_URL);
  const urlAs = (role: string) => {
    const url = new URL(running.env.databaseUrl);
    url.username = role;
    url.password = `${role}-password`;
    return url.toString();
  };

  beforeAll(async () => {
    await running.env.setUp();
    execFileSync('sh', [resolve(__dirname, '../../docker/postgres/create-service-roles.sh')], {
      env: {
        ...process.env,
        PGHOST: admin.hostname,
        PGPORT: admin.port || '5432',
        PGUSER: decodeURIComponent(admin.username || 'postgres'),
        POSTGRES_DB: running.env.databaseName,
        DB_ROLE_PREFIX: prefix,
        ...Object.fromEntries(Object.entries(SCHEMA_OF).map(([service, schema]) => [`DB_PASSWORD_${service.toUpperCase().replace(/-/g, '_')}`, `${prefix}${schema}-password`])),
      },
      stdio: 'pipe',
    });
    await running.start({ SANDBOX_TIME_SCALE: '60', SPAPI_RATE_SCALE: '60' }, (name): Record<string, string> => (name in SCHEMA_OF ? { DATABASE_URL: urlAs(`${prefix}${SCHEMA_OF[name as keyof typeof SCHEMA_OF]}`) } : {}));
  }, 120_000);
  afterAll(async () => {
    await running.stop();
    // Roles belong to the cluster, not the (dropped) database.
    const client = new Client({ connectionString: POSTGRES_ADMIN_URL });
    await client.connect();
    for (const schema of [...Object.values(SCHEMA_OF), 'amazon_quotas']) await client.query(`drop role if exists "${prefix}${schema}"`).catch(() => undefined);
    await client.end();
  }, 60_000);

  it('runs an order from sync to shipment confirmation, each service in its own schema only', async () => {
    expect((await running.sandbox('POST', '/_sandbox/sellers', SELLER)).status).toBe(201);
    expect((await running.sandbox('POST', `/_sandbox/sellers/${SELLER.sellerId}/orders`, order)).status).toBe(201);
    expect((await running.createAccount(SELLER)).status).toBe(201);
    const synced = await waitFor(async () => (await running.api('GET', `/api/v1/orders?amazonOrderId=${order.orderId}`)).body.items?.[0], { timeoutMs: 60_000, what: 'the synced order' });
    expect((await running.api('GET', `/api/v1/partners/${synced.contactId}`)).body.name).toBe('Rolf Role');
    const delivery = await waitFor(async () => (await running.api('GET', `/api/v1/deliveries?orderId=${synced.id}`)).body.items?.[0], { what: 'its delivery' });
    expect((await running.api('POST', `/api/v1/deliveries/${delivery.id}/validate`, { carrierCode: 'DHL', trackingNumber: 'ROLE-1' })).status).toBe(200);
    await waitFor(async () => (await running.api('GET', `/api/v1/orders/${synced.id}`)).body.amazonNotificationState === 'shipment_confirmation:sent', { what: 'the confirmation, back on the order' });
    expect((await running.api('GET', '/api/v1/audit', undefined)).status).toBe(200);

    // Both services took their tokens from the shared buckets under their own roles.
    const buckets = (await running.env.query<{ bucket: string }>('select bucket from amazon_quotas.buckets')).map((row) => row.bucket.split(' ')[0]);
    expect(buckets).toEqual(expect.arrayContaining(['searchOrders', 'confirmShipment']));

    // Each role reads its own schema and no other: the sealed secrets of accounts included.
    for (const [service, schema] of Object.entries(SCHEMA_OF)) {
      const client = new Client({ connectionString: urlAs(`${prefix}${schema}`) });
      await client.connect();
      try {
        await client.query(`select count(*) from "${schema}".migrations`);
        for (const other of Object.values(SCHEMA_OF).filter((s) => s !== schema)) {
          await expect(client.query(`select count(*) from "${other}".migrations`)).rejects.toThrow(/permission denied/);
        }
        if (service !== 'order-ingestion') await expect(client.query('select encrypted_refresh_token from ingestion.seller_accounts')).rejects.toThrow(/permission denied/);
        // Amazon's quotas: shared by the two services that call Amazon, and by no other.
        if (service === 'order-ingestion' || service === 'amazon-notifications') {
          await client.query('select count(*) from amazon_quotas.buckets');
          // Owned by a role both are members of: either service's later migration may change the tables.
          await client.query('begin');
          await client.query('alter table amazon_quotas.buckets add column changed_by_a_later_migration int');
          await client.query('rollback');
        }
        else await expect(client.query('select count(*) from amazon_quotas.buckets')).rejects.toThrow(/permission denied/);
      } finally {
        await client.end();
      }
    }
  });
});
