import { IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { replyOf, requestContract } from '../common/message-contract';
import { PageQuery } from '../common/page-query';
import type { Page } from '../common/rpc-error';

/**
 * A SKU's state at Amazon (Stock to Amazon): `pending` a quantity waits to be sent (stock sync
 * off, Amazon away, or simply next in line), `sent` in a feed whose report is not in yet,
 * `accepted` Amazon took it, `error` Amazon refused it (see `issues`), `skipped` never sent
 * because the SKU is (also) fulfilled by Amazon or not known FBM yet (see `lastError`), `off` stock
 * sync is off for the account: kept, not sent, pending again once the account turns stock sync on.
 */
export const STOCK_SYNC_STATUSES = ['pending', 'sent', 'accepted', 'error', 'skipped', 'off'] as const;
export type StockSyncStatus = (typeof STOCK_SYNC_STATUSES)[number];

/** One of Amazon's issues with a listing update, with the marketplace it was about. */
export class StockSyncIssue {
  /** @example "90220" */
  code: string;
  /** @example "'quantity' must be a whole number of 0 or more" */
  message: string;
  severity: 'ERROR' | 'WARNING' | 'INFO';
  /** @example "A1PA6795UKMFR9" */
  marketplaceId?: string;
  attributeNames?: string[];
}

/** A marketplace of the SKU that ships from its own warehouse (a ship-from assignment of the marketplace), with that warehouse's quantities. */
export class StockSyncMarketplace {
  /** @example "A13V1IB3VIYZZH" */
  marketplaceId: string;
  /** What that warehouse makes available (before the account's buffer). @example 4 */
  availableQuantity: number;
  /** The quantity last sent to Amazon in this marketplace (available less the buffer); null before the first. @example 3 */
  sentQuantity: number | null;
}

/** `GET /api/v1/accounts/:id/stock-sync`: an account's SKUs, by status or one SKU. */
export class StockSyncQuery extends PageQuery {
  @IsOptional() @IsIn(STOCK_SYNC_STATUSES) status?: StockSyncStatus;
  /** @example "MUG-BLUE-01" */
  @IsOptional() @IsString() @MaxLength(200) sku?: string;
}

export class ListStockSyncRequest extends StockSyncQuery {
  @IsUUID() accountId: string;
}

export class StockSyncView {
  accountId: string;
  /** @example "MUG-BLUE-01" */
  sku: string;
  productId: string;
  /**
   * What the seller's stock makes available (before the account's buffer) for every marketplace not in
   * `marketplaces`: the account's default warehouse, else the shared Stock location, or (no ship-from
   * assignment at all) every warehouse together. @example 7
   */
  availableQuantity: number;
  /** Marketplaces that ship from their own warehouse, each with its own quantities (empty when there are none). */
  marketplaces: StockSyncMarketplace[];
  /** @example "2026-12-07T12:00:00.000Z" */
  changedAt: string;
  status: StockSyncStatus;
  /** The quantity last sent to Amazon for the marketplaces not in `marketplaces` (available less the buffer, never below 0); null before the first. @example 6 */
  sentQuantity: number | null;
  sentAt: string | null;
  /** How it went: patchListingsItem (a few SKUs) or JSON_LISTINGS_FEED (many at once). */
  sentVia: 'patchListingsItem' | 'JSON_LISTINGS_FEED' | null;
  /** Amazon's issues with the last update sent. */
  issues: StockSyncIssue[];
  /** Why the last try did not reach Amazon, or why nothing is sent (stock sync off; `skipped`: e.g. "SKU is also fulfilled by Amazon"). */
  lastError: string | null;
  attempts: number;
  createdAt: string;
  updatedAt: string;
}

export const LIST_STOCK_SYNC = requestContract({ subject: 'notifications.stock-sync.list.v1', version: 1, payload: ListStockSyncRequest, reply: replyOf<Page<StockSyncView>>() });
