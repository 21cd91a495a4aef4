import { Type } from 'class-transformer';
import { IsInt, IsNumber, IsPositive, Max, Min } from 'class-validator';
import { credentialsKeyProblems, DEVELOPMENT_TRANSIT_KEY, IsCredentialsKey } from '@connector/platform';
import { AmazonAccessSettings } from '@connector/sp-api';

export class OrderIngestionSettings extends AmazonAccessSettings {
  /** Opens the secrets the gateway sealed for us (its CREDENTIALS_TRANSIT_KEY). */
  @IsCredentialsKey() CREDENTIALS_TRANSIT_KEY = DEVELOPMENT_TRANSIT_KEY;
  /** How often a replica looks for accounts that are due. */
  @Type(() => Number) @IsNumber() @IsPositive() SYNC_TICK_SECONDS = 2;
  /** A replica that dies mid-sync gives its accounts up after this long. */
  @Type(() => Number) @IsInt() @Min(10) SYNC_LEASE_SECONDS = 60;
  /** Each sync re-reads this much before the cursor: Amazon can be slow to show a change. */
  @Type(() => Number) @IsInt() @Min(0) @Max(86400) SYNC_OVERLAP_SECONDS = 300;
  /**
   * A run that commits no page and gets no answer from Amazon for this long is abandoned:
   * marked failed with the reason, its lease released so the account syncs again. Well above
   * the longest wait for Amazon's quota (searchOrders: one call per three minutes once its
   * burst is spent).
   */
  @Type(() => Number) @IsNumber() @IsPositive() SYNC_STALL_SECONDS = 600;
  /** Health reports an account whose last successful sync is older than this many of its sync intervals. */
  @Type(() => Number) @IsNumber() @Min(1) SYNC_OVERDUE_INTERVALS = 3;
  /**
   * An `account.sync_stalled` alert goes out for an account (sync enabled) with no successful
   * sync for its sync interval plus this many minutes (fractions allowed), once per episode, and
   * its `resolved` once it syncs again.
   */
  @Type(() => Number) @IsNumber() @IsPositive() ALERT_SYNC_STALLED_MINUTES = 30;

  override productionProblems(): string[] {
    return [...super.productionProblems(), ...credentialsKeyProblems(this.CREDENTIALS_TRANSIT_KEY, 'CREDENTIALS_TRANSIT_KEY')];
  }
}
