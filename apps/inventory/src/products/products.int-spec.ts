import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { MESSAGING_ENTITIES, MESSAGING_MIGRATIONS, Outbox } from '@connector/messaging';
import { runMigrations, serviceDataSourceOptions } from '@connector/persistence';
import { TestEnvironment } from '@connector/testing';
import { inventoryDataSource } from '../data-source';
import { InitialSchema1764300000300 } from '../migrations/1764300000300-initial-schema';
import { FulfillmentVersions1764300000310 } from '../migrations/1764300000310-fulfillment-versions';
import { CatalogueMatching1764300000320 } from '../migrations/1764300000320-catalogue-matching';
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

  const offersOf = async (accountId: string) =>
    Object.fromEntries((await products.listOffers({ accountId, limit: 500 })).items.map((o) => [o.sku, o]));
  const offerEvents = async (sku: string) =>
    (await env.query<{ payload: { accountId: string; sku: string; productId: string | null } }>(
      `select payload from inventory.outbox where subject = 'offer.changed.v1' and payload->>'sku' = $1 order by position`,
      [sku],
    )).map((row) => row.payload);

  it('matches a new SKU to the product of that internal reference (trimmed, case-sensitive) on every account and marketplace, before creating one', async () => {
    const mug = await products.create({ name: 'Red mug', internalReference: '  MATCH-MUG ' });
    expect(mug.internalReference).toBe('MATCH-MUG');
    const [first, second] = [randomUUID(), randomUUID()];
    const one = await products.resolve({ accountId: first, skus: [{ sku: 'MATCH-MUG', title: 'Amazon title', marketplaceId: 'A1PA6795UKMFR9' }, { sku: ' MATCH-MUG ', marketplaceId: 'A1PA6795UKMFR9' }, { sku: 'match-mug', title: 'Lower case', marketplaceId: 'A1PA6795UKMFR9' }] });
    const two = await products.resolve({ accountId: second, skus: [{ sku: 'MATCH-MUG', marketplaceId: 'ATVPDKIKX0DER' }] });
    const productOf = (answer: typeof one, sku: string) => answer.offers.find((o) => o.sku === sku)!.productId;
    expect(productOf(one, 'MATCH-MUG')).toBe(mug.id);
    expect(productOf(one, ' MATCH-MUG ')).toBe(mug.id);
    expect(productOf(two, 'MATCH-MUG')).toBe(mug.id);
    // SKUs are case-sensitive: another SKU, a new product carrying it as reference.
    const lower = productOf(one, 'match-mug');
    expect(lower).not.toBe(mug.id);
    expect((await products.list({ search: 'match-mug' })).items).toEqual(expect.arrayContaining([expect.objectContaining({ id: lower, internalReference: 'match-mug', name: 'Lower case' })]));

    expect(await offersOf(first)).toMatchObject({
      'MATCH-MUG': { productId: mug.id, marketplaceId: 'A1PA6795UKMFR9', matchedBy: 'reference', createdProduct: false, reviewedAt: null },
      ' MATCH-MUG ': { productId: mug.id, matchedBy: 'reference', createdProduct: false },
      'match-mug': { productId: lower, matchedBy: 'created', createdProduct: true },
    });
    expect(await offersOf(second)).toMatchObject({ 'MATCH-MUG': { productId: mug.id, marketplaceId: 'ATVPDKIKX0DER', matchedBy: 'reference' } });
    // The product was not copied: its name is the seller's, not Amazon's title.
    const [{ count }] = await env.query<{ count: number }>(`select count(*)::int as count from inventory.products where internal_reference = 'MATCH-MUG'`);
    expect(count).toBe(1);
  });

  it('matches by reference before the account default product, which takes only the SKUs no product carries', async () => {
    const fallback = await products.create({ name: 'Unknown article' });
    expect(fallback.internalReference).toBe(`P-${fallback.id}`);
    const known = await products.create({ name: 'Known', internalReference: 'DEFAULT-KNOWN' });
    const accountId = randomUUID();
    const answer = await products.resolve({ accountId, defaultProductId: fallback.id, skus: [{ sku: 'DEFAULT-KNOWN' }, { sku: 'DEFAULT-UNKNOWN' }] });
    expect(Object.fromEntries(answer.offers.map((o) => [o.sku, o.productId]))).toEqual({ 'DEFAULT-KNOWN': known.id, 'DEFAULT-UNKNOWN': fallback.id });
    expect(await offersOf(accountId)).toMatchObject({ 'DEFAULT-KNOWN': { matchedBy: 'reference' }, 'DEFAULT-UNKNOWN': { matchedBy: 'default', createdProduct: false } });
  });

  it('a new SKU resolved on many accounts at once makes one product, created by exactly one of them', async () => {
    const accounts = Array.from({ length: 8 }, () => randomUUID());
    const skus = Array.from({ length: 60 }, (_, i) => ({ sku: `RACE-${String(i).padStart(2, '0')}`, title: `Race ${i}` }));
    const answers = await Promise.all(accounts.map((accountId, i) => products.resolve({ accountId, skus: i % 2 ? skus : [...skus].reverse() })));
    for (const answer of answers) expect(answer.offers.map((o) => o.productId)).toEqual(answers[0].offers.map((o) => o.productId));
    const rows = await env.query<{ sku: string; products: number; creators: number }>(
      `select o.sku, count(distinct o.product_id)::int as products, count(*) filter (where o.created_product)::int as creators
       from inventory.offers o where o.sku like 'RACE-%' group by o.sku`,
    );
    expect(rows).toHaveLength(60);
    expect(rows.every((r) => r.products === 1 && r.creators === 1)).toBe(true);
  });

  it('refuses a second product with a taken internal reference (409, nothing written)', async () => {
    await products.create({ name: 'First', internalReference: 'TAKEN-1' });
    await expect(products.create({ name: 'Second', internalReference: ' TAKEN-1' })).rejects.toMatchObject({ body: { statusCode: 409 } });
    expect((await products.list({ search: 'TAKEN-1' })).items.map((p) => p.name)).toEqual(['First']);
  });

  it('maps an offer to another product and unmaps it, telling order-ingestion each time; the review list and its marking', async () => {
    const accountId = randomUUID();
    await products.resolve({ accountId, skus: [{ sku: 'REVIEW-NEW', title: 'New thing', marketplaceId: 'A13V1IB3VIYZZH' }] });
    const created = (await offersOf(accountId))['REVIEW-NEW'];
    const toReview = async () => (await products.listOffers({ createdProduct: true, reviewed: false, limit: 500 })).items.map((o) => o.id);
    expect(await toReview()).toContain(created.id);
    expect((await products.listOffers({ marketplaceId: 'A13V1IB3VIYZZH', createdProduct: true })).items.map((o) => o.sku)).toEqual(['REVIEW-NEW']);

    const catalogue = await products.create({ name: 'The catalogue one', internalReference: 'CAT-THING' });
    const mapped = await products.mapOffer({ id: created.id, productId: catalogue.id });
    expect(mapped).toMatchObject({ id: created.id, productId: catalogue.id, matchedBy: 'manual', createdProduct: true });
    expect(await products.resolve({ accountId, skus: [{ sku: 'REVIEW-NEW' }] })).toEqual({ offers: [{ sku: 'REVIEW-NEW', productId: catalogue.id }] });
    await expect(products.mapOffer({ id: created.id, productId: randomUUID() })).rejects.toMatchObject({ body: { statusCode: 404 } });
    await expect(products.mapOffer({ id: randomUUID(), productId: catalogue.id })).rejects.toMatchObject({ body: { statusCode: 404 } });
    expect((await products.getOffer({ id: created.id })).productId).toBe(catalogue.id);

    const reviewed = await products.markOfferReviewed({ id: created.id });
    expect(reviewed.reviewedAt).not.toBeNull();
    expect((await products.markOfferReviewed({ id: created.id })).reviewedAt).toBe(reviewed.reviewedAt);
    expect(await toReview()).not.toContain(created.id);

    // Unmapped: the next resolve matches again, here by reference (the product the SKU made).
    expect(await products.unmapOffer({ id: created.id })).toMatchObject({ id: created.id, productId: catalogue.id });
    await expect(products.getOffer({ id: created.id })).rejects.toMatchObject({ body: { statusCode: 404 } });
    const again = await products.resolve({ accountId, skus: [{ sku: 'REVIEW-NEW' }] });
    expect(again.offers[0].productId).toBe(created.productId);
    expect((await offersOf(accountId))['REVIEW-NEW']).toMatchObject({ matchedBy: 'reference', createdProduct: false });

    expect(await offerEvents('REVIEW-NEW')).toEqual([
      { accountId, sku: 'REVIEW-NEW', productId: catalogue.id },
      { accountId, sku: 'REVIEW-NEW', productId: null },
    ]);
  });
});

describe('the catalogue-matching migration on real PostgreSQL', () => {
  const env = new TestEnvironment();
  beforeAll(() => env.setUp());
  afterAll(() => env.tearDown());

  it('gives every product a unique internal reference and marks the offers whose SKU made their product', async () => {
    const options = (migrations: unknown[]) =>
      serviceDataSourceOptions({ database: env.databaseUrl, schema: 'inventory_upgrade', entities: [Product, Offer, ...MESSAGING_ENTITIES], migrations: [...MESSAGING_MIGRATIONS, ...(migrations as never[])] });
    await runMigrations(options([InitialSchema1764300000300, FulfillmentVersions1764300000310]));
    const [a, b, c, d] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await env.query(
      `insert into inventory_upgrade.products (id, name, internal_reference, created_at) values
        ($1, 'first', 'DUP', now() - interval '2 days'), ($2, 'second', 'DUP', now() - interval '1 day'), ($3, 'none', null, now()), ($4, 'spaced', ' SP ', now())`,
      [a, b, c, d],
    );
    const [accountOne, accountTwo] = [randomUUID(), randomUUID()];
    await env.query(
      `insert into inventory_upgrade.offers (id, account_id, sku, product_id, created_at) values
        ($1, $3, 'DUP', $5, now() - interval '2 days'), ($2, $4, 'DUP', $6, now() - interval '1 day'), ($7, $4, 'OTHER', $5, now())`,
      [randomUUID(), randomUUID(), accountOne, accountTwo, a, b, randomUUID()],
    );
    await runMigrations(options([InitialSchema1764300000300, FulfillmentVersions1764300000310, CatalogueMatching1764300000320]));
    const references = Object.fromEntries(
      (await env.query<{ id: string; internal_reference: string }>(`select id, internal_reference from inventory_upgrade.products`)).map((r) => [r.id, r.internal_reference]),
    );
    expect(references).toEqual({ [a]: 'DUP', [b]: `DUP (${b})`, [c]: `P-${c}`, [d]: 'SP' });
    const offers = await env.query<{ sku: string; account_id: string; matched_by: string; created_product: boolean }>(
      `select sku, account_id, matched_by, created_product from inventory_upgrade.offers order by created_at`,
    );
    expect(offers).toEqual([
      { sku: 'DUP', account_id: accountOne, matched_by: 'created', created_product: true },
      { sku: 'DUP', account_id: accountTwo, matched_by: 'created', created_product: true },
      { sku: 'OTHER', account_id: accountTwo, matched_by: 'manual', created_product: false },
    ]);
    await expect(env.query(`insert into inventory_upgrade.products (id, name, internal_reference) values ($1, 'x', 'DUP')`, [randomUUID()])).rejects.toThrow(/products_internal_reference/);
  });
});
