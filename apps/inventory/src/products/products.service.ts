import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  CreateProductRequest,
  IdRequest,
  ListOffersRequest,
  MapOfferRequest,
  ListProductsRequest,
  OFFER_CHANGED,
  OfferChangedEvent,
  OfferView,
  Page,
  ProductView,
  PutOfferRequest,
  ResolveProductsRequest,
  ResolveProductsResponse,
} from '@connector/contracts';
import { Outbox } from '@connector/messaging';
import { listPage, ServiceError } from '@connector/platform';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { containsPattern, inLockOrder, newRowId } from '@connector/persistence';
import { Offer, OfferMatch } from './offer.entity';
import { Product } from './product.entity';
import { skusResolved } from './products.metrics';

@Injectable()
export class ProductsService {
  private readonly logger = new Logger(ProductsService.name);

  constructor(
    private readonly dataSource: DataSource,
    @InjectRepository(Product) private readonly products: Repository<Product>,
    @InjectRepository(Offer) private readonly offers: Repository<Offer>,
    private readonly outbox: Outbox,
  ) {}

  /**
   * The product of each SKU of a page of orders. A SKU not yet offered on the account sells,
   * in this order: the product whose internal reference is the SKU (trimmed, case-sensitive,
   * whatever account or marketplace made it), the account's default product, or a new product
   * named by its title with the SKU as internal reference (listed for review).
   */
  async resolve(request: ResolveProductsRequest): Promise<ResolveProductsResponse> {
    const learned: { sku: string; product_id: string; matched_by: OfferMatch }[] = [];
    const answer = await this.dataSource.transaction(async (manager) => {
      learned.length = 0;
      // Pages resolved side by side share new SKUs: see inLockOrder.
      const skus = inLockOrder([...new Map(request.skus.map((s) => [s.sku, s])).values()], (s) => s.sku);
      const bySku = await this.offeredProducts(manager, request.accountId, skus.map((s) => s.sku));
      const missing = skus.filter((s) => !bySku.has(s.sku));
      if (missing.length === 0) return { offers: skus.map((s) => ({ sku: s.sku, productId: bySku.get(s.sku)! })) };

      const productOf = await this.productsByReference(manager, missing.map((s) => referenceOf(s.sku)));
      const match = new Map<string, { productId: string; matchedBy: OfferMatch }>();
      for (const s of missing) {
        const productId = productOf.get(referenceOf(s.sku));
        if (productId) match.set(s.sku, { productId, matchedBy: 'reference' });
      }
      const unmatched = missing.filter((s) => !match.has(s.sku));
      if (unmatched.length && request.defaultProductId) {
        if (!(await manager.existsBy(Product, { id: request.defaultProductId }))) {
          throw ServiceError.badRequest(`default product ${request.defaultProductId} does not exist`);
        }
        for (const s of unmatched) match.set(s.sku, { productId: request.defaultProductId, matchedBy: 'default' });
      } else if (unmatched.length) {
        // Two SKUs may trim to one reference: one product for both. Another resolver (another
        // account) may create the same reference at the same moment: its product is used.
        const toCreate = inLockOrder([...new Map(unmatched.map((s) => [referenceOf(s.sku), s])).entries()], ([reference]) => reference);
        const created: { id: string; internal_reference: string }[] = await manager.query(
          `insert into products (id, name, internal_reference)
           select * from unnest($1::uuid[], $2::text[], $3::text[])
           on conflict (internal_reference) do nothing
           returning id, internal_reference`,
          [toCreate.map(() => newRowId()), toCreate.map(([reference, s]) => s.title?.trim() || reference), toCreate.map(([reference]) => reference)],
        );
        const createdIds = new Set(created.map((p) => p.id));
        const now = await this.productsByReference(manager, toCreate.map(([reference]) => reference));
        for (const s of unmatched) {
          const productId = now.get(referenceOf(s.sku))!;
          match.set(s.sku, { productId, matchedBy: createdIds.has(productId) ? 'created' : 'reference' });
        }
      }
      // Another resolver of this account may add the same SKU at the same moment: its offer wins.
      const inserted: typeof learned = await manager.query(
        `insert into offers (id, account_id, sku, product_id, marketplace_id, matched_by, created_product)
         select * from unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::text[], $6::text[], $7::boolean[])
         on conflict (account_id, sku) do nothing
         returning sku, product_id, matched_by`,
        [
          missing.map(() => newRowId()),
          missing.map(() => request.accountId),
          missing.map((s) => s.sku),
          missing.map((s) => match.get(s.sku)!.productId),
          missing.map((s) => s.marketplaceId ?? null),
          missing.map((s) => match.get(s.sku)!.matchedBy),
          missing.map((s) => match.get(s.sku)!.matchedBy === 'created'),
        ],
      );
      learned.push(...inserted);
      for (const [sku, productId] of await this.offeredProducts(manager, request.accountId, missing.map((s) => s.sku))) bySku.set(sku, productId);
      return { offers: skus.map((s) => ({ sku: s.sku, productId: bySku.get(s.sku)! })) };
    });
    for (const offer of learned) {
      skusResolved.inc({ matched_by: offer.matched_by });
      const how = { reference: 'the product of that internal reference', created: 'a new product, listed for review', default: 'the account default product', manual: 'a product' }[offer.matched_by];
      this.logger.log({ msg: `SKU ${offer.sku} sells ${how} (${offer.product_id})`, accountId: request.accountId });
    }
    return answer;
  }

  private async offeredProducts(manager: EntityManager, accountId: string, skus: string[]): Promise<Map<string, string>> {
    const rows: { sku: string; product_id: string }[] = await manager.query(
      `select sku, product_id from offers where account_id = $1 and sku = any($2::text[])`,
      [accountId, skus],
    );
    return new Map(rows.map((row) => [row.sku, row.product_id]));
  }

  private async productsByReference(manager: EntityManager, references: string[]): Promise<Map<string, string>> {
    const rows: { id: string; internal_reference: string }[] = await manager.query(
      `select id, internal_reference from products where internal_reference = any($1::text[])`,
      [references],
    );
    return new Map(rows.map((row) => [row.internal_reference, row.id]));
  }

  async list(request: ListProductsRequest): Promise<Page<ProductView>> {
    const query = this.products.createQueryBuilder('p');
    if (request.search) query.where('(p.name ILIKE :s OR p.internalReference ILIKE :s)', { s: containsPattern(request.search) });
    return listPage(query, request, productView);
  }

  /** A product of the catalogue; its internal reference (trimmed) is unique: a taken one is a 409. */
  async create(request: CreateProductRequest): Promise<ProductView> {
    const id = newRowId();
    const internalReference = request.internalReference?.trim() || `P-${id}`;
    const [inserted] = await this.dataSource.query(
      `insert into products (id, name, internal_reference) values ($1, $2, $3) on conflict (internal_reference) do nothing returning id`,
      [id, request.name, internalReference],
    );
    if (!inserted) throw ServiceError.conflict(`a product with internal reference ${internalReference} already exists`, [{ field: 'internalReference', errors: ['already used by another product'] }]);
    return productView((await this.products.findOneBy({ id }))!);
  }

  async listOffers(request: ListOffersRequest): Promise<Page<OfferView>> {
    const query = this.offers.createQueryBuilder('o');
    if (request.accountId) query.andWhere('o.accountId = :accountId', { accountId: request.accountId });
    if (request.sku) query.andWhere('o.sku = :sku', { sku: request.sku });
    if (request.marketplaceId) query.andWhere('o.marketplaceId = :marketplaceId', { marketplaceId: request.marketplaceId });
    if (request.createdProduct !== undefined) query.andWhere('o.createdProduct = :createdProduct', { createdProduct: request.createdProduct });
    if (request.reviewed !== undefined) query.andWhere(request.reviewed ? 'o.reviewedAt is not null' : 'o.reviewedAt is null');
    return listPage(query, request, offerView);
  }

  async getOffer(request: IdRequest): Promise<OfferView> {
    return offerView(await this.offerById(this.dataSource.manager, request.id));
  }

  /** Points a SKU at a product: future orders of that SKU use it. */
  async putOffer(request: PutOfferRequest): Promise<OfferView> {
    return this.dataSource.transaction(async (manager) => {
      await this.productMustExist(manager, request.productId);
      await manager
        .createQueryBuilder()
        .insert()
        .into(Offer)
        .values({
          id: newRowId(),
          accountId: request.accountId,
          sku: request.sku,
          productId: request.productId,
          matchedBy: 'manual',
          createdProduct: false,
          ...(request.fulfillmentChannel ? { fulfillmentChannels: [request.fulfillmentChannel] } : {}),
        })
        .orUpdate(['product_id', 'matched_by', 'updated_at', ...(request.fulfillmentChannel ? ['fulfillment_channels'] : [])], ['account_id', 'sku'])
        .execute();
      await this.offerChanged(manager, request.accountId, request.sku, request.productId);
      return offerView((await manager.findOneBy(Offer, { accountId: request.accountId, sku: request.sku }))!);
    });
  }

  /** Maps an offer to another existing product: later orders of its SKU use it, stored orders keep theirs. */
  async mapOffer(request: MapOfferRequest): Promise<OfferView> {
    const { before, after } = await this.dataSource.transaction(async (manager) => {
      const offer = await this.offerById(manager, request.id, true);
      await this.productMustExist(manager, request.productId);
      await manager.update(Offer, { id: offer.id }, { productId: request.productId, matchedBy: 'manual' });
      await this.offerChanged(manager, offer.accountId, offer.sku, request.productId);
      return { before: offer, after: await this.offerById(manager, offer.id) };
    });
    this.logger.log({ msg: `SKU ${after.sku} remapped from product ${before.productId} to ${after.productId}: later orders use it`, accountId: after.accountId });
    return offerView(after);
  }

  /** Removes an offer: the next order of its SKU resolves again (by reference, default, or a new product). */
  async unmapOffer(request: IdRequest): Promise<OfferView> {
    const offer = await this.dataSource.transaction(async (manager) => {
      const unmapped = await this.offerById(manager, request.id, true);
      await manager.delete(Offer, { id: unmapped.id });
      await this.offerChanged(manager, unmapped.accountId, unmapped.sku, null);
      return unmapped;
    });
    this.logger.log({ msg: `SKU ${offer.sku} unmapped from product ${offer.productId}: its next order resolves again`, accountId: offer.accountId });
    return offerView(offer);
  }

  /** Takes a SKU that created a product off the review list. */
  async markOfferReviewed(request: IdRequest): Promise<OfferView> {
    return this.dataSource.transaction(async (manager) => {
      const offer = await this.offerById(manager, request.id, true);
      if (!offer.reviewedAt) await manager.update(Offer, { id: offer.id }, { reviewedAt: () => 'now()' });
      return offerView(await this.offerById(manager, offer.id));
    });
  }

  private async offerById(manager: EntityManager, id: string, forUpdate = false): Promise<Offer> {
    const offer = isUuid(id) ? await manager.findOne(Offer, { where: { id }, lock: forUpdate ? { mode: 'pessimistic_write' } : undefined }) : null;
    if (!offer) throw ServiceError.notFound(`offer ${id} not found`);
    return offer;
  }

  private async productMustExist(manager: EntityManager, productId: string): Promise<void> {
    if (!(await manager.existsBy(Product, { id: productId }))) throw ServiceError.notFound(`product ${productId} not found`);
  }

  private offerChanged(manager: EntityManager, accountId: string, sku: string, productId: string | null) {
    const event: OfferChangedEvent = { accountId, sku, productId };
    return this.outbox.add(manager, OFFER_CHANGED, event);
  }
}

const productView = (p: Product): ProductView => ({ id: p.id, name: p.name, internalReference: p.internalReference, createdAt: p.createdAt.toISOString() });
const offerView = (o: Offer): OfferView => ({
  id: o.id,
  accountId: o.accountId,
  sku: o.sku,
  productId: o.productId,
  marketplaceId: o.marketplaceId,
  matchedBy: o.matchedBy,
  createdProduct: o.createdProduct,
  fulfillmentChannels: o.fulfillmentChannels,
  reviewedAt: o.reviewedAt?.toISOString() ?? null,
  createdAt: o.createdAt.toISOString(),
  updatedAt: o.updatedAt.toISOString(),
});
/** SKUs and references compare trimmed and case-sensitive; a blank SKU is its own reference. */
const referenceOf = (sku: string) => sku.trim() || sku;
const isUuid = (id: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
