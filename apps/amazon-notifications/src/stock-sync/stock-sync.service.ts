import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { ListStockSyncRequest, Page, StockSyncView } from '@connector/contracts';
import { listPage } from '@connector/platform';
import { Repository } from 'typeorm';
import { StockUpdate } from './stock-update.entity';

@Injectable()
export class StockSyncService {
  constructor(@InjectRepository(StockUpdate) private readonly updates: Repository<StockUpdate>) {}

  /** Each SKU of an account Amazon is or was told the stock of. */
  async list(request: ListStockSyncRequest): Promise<Page<StockSyncView>> {
    const query = this.updates.createQueryBuilder('u').where('u.accountId = :accountId', { accountId: request.accountId });
    if (request.status) query.andWhere('u.status = :status', { status: request.status });
    if (request.sku) query.andWhere('u.sku = :sku', { sku: request.sku });
    return listPage(query, request, stockSyncView);
  }
}

export function stockSyncView(u: StockUpdate): StockSyncView {
  return {
    accountId: u.accountId,
    sku: u.sku,
    productId: u.productId,
    availableQuantity: u.availableQuantity,
    marketplaces: Object.entries(u.marketplaceQuantities ?? {})
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([marketplaceId, availableQuantity]) => ({ marketplaceId, availableQuantity, sentQuantity: u.sentMarketplaceQuantities?.[marketplaceId] ?? u.sentQuantity })),
    changedAt: u.changedAt.toISOString(),
    status: u.status,
    sentQuantity: u.sentQuantity,
    sentAt: u.sentAt?.toISOString() ?? null,
    sentVia: u.sentVia,
    issues: u.issues,
    lastError: u.lastError,
    attempts: u.attempts,
    createdAt: u.createdAt.toISOString(),
    updatedAt: u.updatedAt.toISOString(),
  };
}
