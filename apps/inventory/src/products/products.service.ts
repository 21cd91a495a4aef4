import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  CreateProductRequest,
  ListOffersRequest,
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
import { DataSource, Repository } from 'typeorm';
import { containsPattern, inLockOrder, newRowId } from '@connector/persistence';
import { Offer } from './offer.entity';
import { Product } from './product.entity';

@Injectable()
export class ProductsService {
  constructor(
    private readonly dataSource: DataSource,
    @InjectRepository(Product) private readonly products: Repository<Product>,
    @InjectRepository(Offer) private readonly offers: Repository<Offer>,
    private readonly outbox: Outbox,
  ) {}

  /**
   * The product of each SKU of a page of orders. An unknown SKU gets a new product named by
   * its title with the SKU as internal reference, or the account's default product.
   */
  async resolve(request: ResolveProductsRequest): Promise<ResolveProductsResponse> {
    return this.dataSource.transaction(async (manager) => {
      // Pages resolved side by side share new SKUs: see inLockOrder.
      const skus = inLockOrder([...new Map(request.skus.map((s) => [s.sku, s])).values()], (s) => s.sku);
      const known: { sku: string; product_id: string }[] = await manager.query(
        `select sku, product_id from offers where account_id = $1 and sku = any($2::text[])`,
        [request.accountId, skus.map((s) => s.sku)],
      );
      const bySku = new Map(known.map((row) => [row.sku, row.product_id]));
      const missing = skus.filter((s) => !bySku.has(s.sku));
      if (missing.length) {
        if (request.defaultProductId && !(await manager.existsBy(Product, { id: request.defaultProductId }))) {
          throw ServiceError.badRequest(`default product ${request.defaultProductId} does not exist`);
        }
        const created = missing.map((s) => ({
          offer: { id: newRowId(), accountId: request.accountId, sku: s.sku },
          product: request.defaultProductId ? null : { id: newRowId(), name: s.title || s.sku, internalReference: s.sku },
        }));
        const newProducts = created.map((c) => c.product).filter((p): p is NonNullable<typeof p> => !!p);
        if (newProducts.length) await manager.insert(Product, newProducts);
        // Another resolver may add the same SKU at the same moment: its offer wins, ours is ignored.
        await manager
          .createQueryBuilder()
          .insert()
          .into(Offer)
          .values(created.map((c) => ({ ...c.offer, productId: c.product?.id ?? request.defaultProductId! })))
          .orIgnore()
          .execute();
        const now: { sku: string; product_id: string }[] = await manager.query(
          `select sku, product_id from offers where account_id = $1 and sku = any($2::text[])`,
          [request.accountId, missing.map((s) => s.sku)],
        );
        for (const row of now) bySku.set(row.sku, row.product_id);
        const orphans = newProducts.filter((p) => !now.some((row) => row.product_id === p.id));
        if (orphans.length) await manager.delete(Product, orphans.map((p) => p.id));
      }
      return { offers: skus.map((s) => ({ sku: s.sku, productId: bySku.get(s.sku)! })) };
    });
  }

  async list(request: ListProductsRequest): Promise<Page<ProductView>> {
    const query = this.products.createQueryBuilder('p');
    if (request.search) query.where('(p.name ILIKE :s OR p.internalReference ILIKE :s)', { s: containsPattern(request.search) });
    return listPage(query, request, productView);
  }

  async create(request: CreateProductRequest): Promise<ProductView> {
    const product = this.products.create({ id: newRowId(), name: request.name, internalReference: request.internalReference ?? null });
    await this.products.insert(product);
    return productView((await this.products.findOneBy({ id: product.id }))!);
  }

  async listOffers(request: ListOffersRequest): Promise<Page<OfferView>> {
    const query = this.offers.createQueryBuilder('o');
    if (request.accountId) query.andWhere('o.accountId = :accountId', { accountId: request.accountId });
    if (request.sku) query.andWhere('o.sku = :sku', { sku: request.sku });
    return listPage(query, request, offerView);
  }

  /** Points a SKU at a product: future orders of that SKU use it. */
  async putOffer(request: PutOfferRequest): Promise<OfferView> {
    if (!(await this.products.existsBy({ id: request.productId }))) throw ServiceError.notFound(`product ${request.productId} not found`);
    return this.dataSource.transaction(async (manager) => {
      await manager
        .createQueryBuilder()
        .insert()
        .into(Offer)
        .values({ id: newRowId(), accountId: request.accountId, sku: request.sku, productId: request.productId })
        .orUpdate(['product_id'], ['account_id', 'sku'])
        .execute();
      const event: OfferChangedEvent = { accountId: request.accountId, sku: request.sku, productId: request.productId };
      await this.outbox.add(manager, OFFER_CHANGED, event);
      return offerView((await manager.findOneBy(Offer, { accountId: request.accountId, sku: request.sku }))!);
    });
  }
}

const productView = (p: Product): ProductView => ({ id: p.id, name: p.name, internalReference: p.internalReference, createdAt: p.createdAt.toISOString() });
const offerView = (o: Offer): OfferView => ({ id: o.id, accountId: o.accountId, sku: o.sku, productId: o.productId });
