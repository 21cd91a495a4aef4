import { Type } from 'class-transformer';
import { IsInt, IsNumber, IsPositive, Min, MinLength } from 'class-validator';
import { ServiceSettings } from '@connector/platform';

export class NotificationsSettings extends ServiceSettings {
  /** The same key order-ingestion seals account secrets with. */
  @MinLength(16) CREDENTIALS_KEY = 'local-development-credentials-key';
  /** How often due notifications are looked for (new ones also wake the sender at once). */
  @Type(() => Number) @IsInt() @Min(50) NOTIFY_POLL_MS = 1000;
  /** Attempts before a retriable failure (429, 5xx, network) is given up as failed. */
  @Type(() => Number) @IsInt() @Min(1) NOTIFY_MAX_ATTEMPTS = 12;
  @Type(() => Number) @IsNumber() @IsPositive() SPAPI_RATE_SCALE = 1;
}
