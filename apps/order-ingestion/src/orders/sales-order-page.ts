import type { AmazonOrder } from '@connector/sp-api';
import { SellerAccount } from '../accounts/seller-account.entity';
import { MappedOrder } from './amazon-order.mapper';
import { SalesOrder } from './sales-order.entity';

/** What became of one page of Amazon orders. */
export interface PageOutcome {
  seen: number;
  created: number;
  updated: number;
  unchanged: number;
  quarantined: number;
  skipped: number;
  /** Amazon order ids that mapped and are committed. */
  committed: string[];
}

/** A mapped order with its sales order id and partners, ready to write. */
export interface PreparedOrder {
  mapped: MappedOrder;
  /** The sales order's id: the known order's, or the one derived for a new order. */
  orderId: string;
  contactId: string;
  deliveryAddressId: string;
  hash: string;
}

/** A page prepared outside the transaction that commits it (see SalesOrderWriter). */
export interface PreparedPage {
  account: SellerAccount;
  outcome: PageOutcome;
  existing: Map<string, SalesOrder>;
  prepared: PreparedOrder[];
  /** The page's SKU → product answers. */
  productIds: Map<string, string>;
  /** Those inventory gave for this page, to remember. */
  learned: { sku: string; productId: string }[];
  /** Orders that could not be written, to quarantine; `cause`: the error, when one (see QuarantineStore.quarantine). */
  failures: { order: AmazonOrder; reason: string; cause?: unknown }[];
  /** Skipped as never confirmed because no sales order had them when the page was prepared. */
  unconfirmed: AmazonOrder[];
}
