import { ServiceSettings } from '@connector/platform';
import { IsInt, IsString, Matches, Max, Min } from 'class-validator';

export class GatewaySettings extends ServiceSettings {
  @IsInt() @Min(0) @Max(65535)
  GATEWAY_PORT: number = 3000;

  /** Comma-separated API keys accepted as `Authorization: Bearer <key>`. */
  @IsString()
  @Matches(/[^,\s]/, { message: 'GATEWAY_API_KEYS must name at least one key' })
  GATEWAY_API_KEYS: string = 'demo-key';
}

export function apiKeys(settings: Pick<GatewaySettings, 'GATEWAY_API_KEYS'>): string[] {
  return String(settings.GATEWAY_API_KEYS ?? '')
    .split(',')
    .map((key) => key.trim())
    .filter((key) => key.length > 0);
}
