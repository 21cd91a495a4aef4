import { credentialsKeyProblems, DEVELOPMENT_TRANSIT_KEY, IsCredentialsKey, ServiceSettings } from '@connector/platform';
import { Type } from 'class-transformer';
import { IsInt, IsIP, IsString, Matches, Max, Min } from 'class-validator';

/** The key of `npm start`'s demo; production refuses it. */
export const DEMO_API_KEY = 'demo-key';

export class GatewaySettings extends ServiceSettings {
  @IsInt() @Min(0) @Max(65535)
  GATEWAY_PORT: number = 3000;

  /** The address the API listens on: this machine only unless set (0.0.0.0 in a container). */
  @IsIP(undefined, { message: 'GATEWAY_HOST must be an IP address such as 127.0.0.1 or 0.0.0.0' })
  GATEWAY_HOST: string = '127.0.0.1';

  /**
   * Comma-separated API keys of the environment, each with every scope on every account: the
   * first admin key(s). Further keys are made through `POST /api/keys` (kept hashed).
   */
  @IsString()
  @Matches(/[^,\s]/, { message: 'GATEWAY_API_KEYS must name at least one key' })
  GATEWAY_API_KEYS: string = DEMO_API_KEY;

  /**
   * Seals the secrets of a request for order-ingestion before they go onto NATS. Shared with
   * order-ingestion only, and not the key secrets are stored with (the gateway opens nothing).
   */
  @IsCredentialsKey() CREDENTIALS_TRANSIT_KEY: string = DEVELOPMENT_TRANSIT_KEY;

  /** Fewer than the services' 10: the gateway only keeps keys, the audit log and idempotency answers. */
  @Type(() => Number) @IsInt() @Min(1)
  override DATABASE_POOL_SIZE: number = 5;

  /** Audit log entries older than this go. */
  @Type(() => Number) @IsInt() @Min(1)
  AUDIT_RETENTION_DAYS: number = 365;

  /** Requests per minute per API key (per address without a valid key), in each gateway process. */
  @Type(() => Number) @IsInt() @Min(1)
  GATEWAY_RATE_LIMIT_PER_MINUTE: number = 1200;

  /** The largest request body taken (JSON), in bytes or as `100kb`; larger gets 413. */
  @Matches(/^\d+(b|kb|mb)?$/i, { message: 'GATEWAY_BODY_LIMIT must be a size such as 100kb' })
  GATEWAY_BODY_LIMIT: string = '100kb';

  override productionProblems(): string[] {
    const problems = super.productionProblems();
    problems.push(...credentialsKeyProblems(this.CREDENTIALS_TRANSIT_KEY, 'CREDENTIALS_TRANSIT_KEY'));
    const keys = apiKeys(this);
    if (keys.includes(DEMO_API_KEY)) problems.push(`GATEWAY_API_KEYS must not hold the demo key "${DEMO_API_KEY}" in production`);
    if (keys.some((key) => key.length < 24)) problems.push('GATEWAY_API_KEYS: every key must be at least 24 characters in production (openssl rand -hex 24)');
    return problems;
  }
}

export function apiKeys(settings: Pick<GatewaySettings, 'GATEWAY_API_KEYS'>): string[] {
  return String(settings.GATEWAY_API_KEYS ?? '')
    .split(',')
    .map((key) => key.trim())
    .filter((key) => key.length > 0);
}
