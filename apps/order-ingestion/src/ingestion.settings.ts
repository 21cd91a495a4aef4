import { Type } from 'class-transformer';
import { IsInt, IsNumber, IsPositive, Max, Min, MinLength } from 'class-validator';
import { ServiceSettings } from '@connector/platform';

export class IngestionSettings extends ServiceSettings {
  /** Encrypts LWA client secrets and refresh tokens at rest. Set your own in production. */
  @MinLength(16) CREDENTIALS_KEY = 'local-development-credentials-key';
  /** How often a replica looks for accounts that are due. */
  @Type(() => Number) @IsNumber() @IsPositive() SYNC_TICK_SECONDS = 2;
  /** A replica that dies mid-sync gives its accounts up after this long. */
  @Type(() => Number) @IsInt() @Min(10) SYNC_LEASE_SECONDS = 60;
  /** Each sync re-reads this much before the cursor: Amazon can be slow to show a change. */
  @Type(() => Number) @IsInt() @Min(0) @Max(86400) SYNC_OVERLAP_SECONDS = 300;
  /** Only for a sandbox whose clock runs faster: speeds our pacing up by the same factor. */
  @Type(() => Number) @IsNumber() @IsPositive() SPAPI_RATE_SCALE = 1;
}
