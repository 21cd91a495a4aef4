import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Outbox } from '@connector/messaging';
import { runMigrations } from '@connector/persistence';
import { TestEnvironment } from '@connector/testing';
import { inventoryDataSource } from '../data-source';
import { Offer } from './offer.entity';
import { Product } from './product.entity';
import { ProductsService } from './products.service';

describe('product resolution on real PostgreSQL', () => {
  const env = new TestEnvironment();
  let app: INestApplicationContext;
  let products: ProductsService;

  beforeAll(async () => {
    await env.setUp();
    const options = inventoryDataSource(env.databaseUrl);
    await runMigrations(options);
    @Module({
      imports: [TypeOrmModule.forRoot(options), TypeOrmModule.forFeature([Product, Offer])],
      providers: [ProductsService, Outbox],
    })
    class ProductsTestModule {}
    app = await NestFactory.createApplicationContext(ProductsTestModule, { logger: false });
    products = app.get(ProductsService);
  });

  afterAll(async () => {
    await app?.close();
    await env.tearDown();
  });

  it('pages resolved side by side that share new SKUs, listed in opposite orders, neither deadlock nor make two products of one SKU', async () => {
    const accountId = randomUUID();
    const skus = Array.from({ length: 200 }, (_, i) => ({ sku: `SKU-${String(i).padStart(3, '0')}`, title: `Product ${i}` }));
    const pages = [1, 2, 3, 4].flatMap((step) => [skus.filter((_, i) => i % step === 0), [...skus].reverse().filter((_, i) => i % step === 0)]);
    const answers = await Promise.all(pages.map((page) => products.resolve({ accountId, skus: page })));
    const productOf = new Map<string, Set<string>>();
    for (const answer of answers) for (const o of answer.offers) productOf.set(o.sku, (productOf.get(o.sku) ?? new Set()).add(o.productId));
    expect(productOf.size).toBe(200);
    expect([...productOf.values()].every((ids) => ids.size === 1)).toBe(true);
    const [{ count }] = await env.query<{ count: number }>(`select count(*)::int as count from inventory.products`);
    expect(count).toBe(200);
  });

  it('searches text literally (% and _ are not wildcards) and answers a forged cursor with 400, not 500', async () => {
    const accountId = randomUUID();
    await products.resolve({ accountId, skus: [{ sku: 'LIT-1', title: 'Mug 50% off' }, { sku: 'LIT-2', title: 'Mug 50 off' }, { sku: 'LIT-3', title: 'Mug_big' }, { sku: 'LIT-4', title: 'Mug-big' }] });
    expect((await products.list({ search: '50%' })).items.map((p) => p.name)).toEqual(['Mug 50% off']);
    expect((await products.list({ search: 'Mug_' })).items.map((p) => p.name)).toEqual(['Mug_big']);
    expect((await products.list({ search: '%' })).items.map((p) => p.name)).toEqual(['Mug 50% off']);
    // Well-formed, but its key is no uuid: PostgreSQL's type error is the caller's, said as a 400.
    const forged = Buffer.from(JSON.stringify(['2026-01-01T00:00:00.000Z', 'not-a-uuid'])).toString('base64url');
    await expect(products.list({ cursor: forged })).rejects.toMatchObject({ body: { statusCode: 400 } });
    await expect(products.list({ cursor: 'tampered!' })).rejects.toMatchObject({ body: { statusCode: 400 } });
  });
});
