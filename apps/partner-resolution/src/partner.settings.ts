import { Type } from 'class-transformer';
import { IsInt, Min } from 'class-validator';
import { ServiceSettings } from '@connector/platform';

export class PartnerSettings extends ServiceSettings {
  /** Days after a buyer's last order that names, street lines, phones and e-mails are kept. */
  @Type(() => Number) @IsInt() @Min(1) PERSONAL_DATA_RETENTION_DAYS = 90;
  /** How often the retention job runs. */
  @Type(() => Number) @IsInt() @Min(60) RETENTION_INTERVAL_SECONDS = 86400;
}
