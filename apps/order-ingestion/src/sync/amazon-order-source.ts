import { OrdersApiVersion } from '@connector/contracts';
import { SpApiClient } from '@connector/sp-api';
import { AccountLease } from '../accounts/account-lease';
import { SellerAccount } from '../accounts/seller-account.entity';
import { Marketplace } from '../marketplaces/marketplace.entity';
import { PageOutcome, PreparedPage } from '../orders/sales-order-page';
import { StepsInFlight } from './each-page';
import { SyncRun } from './sync-run.entity';

/** Amazon hides changes of the last two minutes; our window never reaches past that. */
export const AMAZON_VISIBILITY_DELAY_MS = 120_000;

/** One sync run over an account, as SyncService hands it to the account's order source. */
export interface SyncPass {
  account: SellerAccount;
  client: SpApiClient;
  marketplaces: Map<string, Marketplace>;
  /** The account's lease as this replica holds it: every page commits only while it is. */
  lease: AccountLease;
  /** The run being recorded; the first page read fixes its windowTo. */
  run: SyncRun;
  /** Counts a page read from Amazon (its progress shows before the page commits). */
  pageFetched: () => void;
  /** Adds a page's outcome to the run's counts. */
  count: (outcome: PageOutcome) => void;
  /** The steps of pages under way, named for a run that has to be abandoned. */
  steps: StepsInFlight;
  /**
   * The Amazon orders this run quarantined so far: one retried from the quarantine and read again
   * in the page of the overlap window is quarantined (and counted) once.
   */
  quarantinedThisRun: Set<string>;
  /** Aborted when the run is abandoned: no further page step starts. */
  signal: AbortSignal;
  /**
   * After each committed page of a read: counts and saves the run (`last`: the read's last page;
   * the run's last page when this is its final read, whose counts the run's end writes next), and
   * stops it if the account's lease is lost.
   */
  afterPage: (outcome: PageOutcome, last: boolean) => Promise<void>;
}

/** Where an account's orders come from: one implementation per Orders API version. */
export interface AmazonOrderSource {
  readonly version: OrdersApiVersion;
  /** Fetches the account's quarantined orders again; those that map now become sales orders. */
  retryQuarantined(pass: SyncPass): Promise<void>;
  /**
   * Every order of these marketplaces last updated since `from`, written page by page. The
   * first page fixes the window's end (the earliest end, should there be two reads: the cursor
   * never passes an order not read).
   */
  readUpdatedSince(pass: SyncPass, from: Date, marketplaceIds: string[]): Promise<void>;
  /**
   * One order by its id (getOrder), whatever the cursor says, prepared for the writer as a page of
   * one: committed, it is created, updated, left unchanged, skipped or quarantined as in a sync.
   */
  fetchOne(client: SpApiClient, account: SellerAccount, marketplaces: Map<string, Marketplace>, amazonOrderId: string): Promise<PreparedPage>;
}

export function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
