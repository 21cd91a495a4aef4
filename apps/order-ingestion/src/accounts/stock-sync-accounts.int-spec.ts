import { INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { natsInboxPrefix, STOCK_SYNC_ACCOUNTS } from '@connector/contracts';
import { NamespacedNatsClient, NamespacedNatsServer, RpcErrorFilter, rpcValidationPipe, ServiceClient } from '@connector/platform';
import { NATS_URL } from '@connector/test-environment';
import { IngestionDatabase, insertSellerAccount } from '../../test/ingestion-database';
import { AccountsController } from './accounts.controller';
import { AccountsService } from './accounts.service';
import { SellerAccount } from './seller-account.entity';

/** The stock-sync-on question over real NATS and PostgreSQL, as amazon-notifications asks it. */
describe('ingestion.accounts.stock-sync-on', () => {
  const database = new IngestionDatabase();
  const namespace = `t${Date.now()}${Math.floor(Math.random() * 1e6)}`;
  let db: DataSource;
  let app: INestMicroservice;
  let client: ServiceClient;

  beforeAll(async () => {
    db = await database.setUp();
    // Only the repository is used by this request; the rest of the service is not reached.
    const accounts = new AccountsService(db.getRepository(SellerAccount), undefined as never, undefined as never, undefined as never, undefined as never);
    @Module({ controllers: [AccountsController], providers: [{ provide: AccountsService, useValue: accounts }] })
    class TestModule {}
    app = await NestFactory.createMicroservice(TestModule, { strategy: new NamespacedNatsServer(namespace, { servers: NATS_URL, queue: 'order-ingestion' }), logger: false });
    app.useGlobalPipes(rpcValidationPipe());
    app.useGlobalFilters(new RpcErrorFilter());
    await app.listen();
    client = new ServiceClient(new NamespacedNatsClient(namespace, { servers: NATS_URL, inboxPrefix: natsInboxPrefix('amazon-notifications') }));
  });

  afterAll(async () => {
    await client?.close();
    await app?.close();
    await database.tearDown();
  });

  it('answers those of the accounts that exist, are not deleted and have stock sync on', async () => {
    const [on, off, deleted] = [randomUUID(), randomUUID(), randomUUID()];
    for (const [id, sellerId] of [[on, 'A2SSON'], [off, 'A2SSOFF'], [deleted, 'A2SSDEL']]) await insertSellerAccount(db, { id, sellerId });
    await db.query(`update ingestion.seller_accounts set stock_sync = true where id = any($1::uuid[])`, [[on, deleted]]);
    await db.query(`update ingestion.seller_accounts set deleted_at = now() where id = $1`, [deleted]);
    const answer = await client.request(STOCK_SYNC_ACCOUNTS, { accountIds: [on, off, deleted, randomUUID()] });
    expect(answer.accountIds).toEqual([on]);
  });

  it('more than 1000 ids, or one that is no UUID: a 400 naming the field', async () => {
    const many = Array.from({ length: 1001 }, () => randomUUID());
    await expect(client.request(STOCK_SYNC_ACCOUNTS, { accountIds: many })).rejects.toMatchObject({ body: { statusCode: 400, details: [expect.objectContaining({ field: 'accountIds' })] } });
    await expect(client.request(STOCK_SYNC_ACCOUNTS, { accountIds: [randomUUID(), 'not-a-uuid'] })).rejects.toMatchObject({
      body: { statusCode: 400, details: [expect.objectContaining({ field: 'accountIds' })] },
    });
  });
});
