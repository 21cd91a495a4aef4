import { credentialsKeyProblems, DEVELOPMENT_TRANSIT_KEY, IsCredentialsKey, ServiceSettings } from '@connector/platform';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsIP, IsNumber, IsPositive, IsString, Matches, Max, Min } from 'class-validator';

/** Seals webhook secrets out of the box, so a fresh clone runs; production refuses it. */
export const DEVELOPMENT_WEBHOOK_SECRETS_KEY = 'local-development-webhook-secrets-key';

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

  /**
   * Seals the HMAC secrets of alert webhooks at rest (AES-256-GCM, as CREDENTIALS_KEY:
   * `base64:<32 bytes>` or a passphrase; comma-separated while rotating). A key of the gateway's
   * own: it opens nothing of the services'.
   */
  @IsCredentialsKey() WEBHOOK_SECRETS_KEY: string = DEVELOPMENT_WEBHOOK_SECRETS_KEY;

  /** An alert not delivered (no 2xx) is retried, with back-off, for this many hours, then given up. */
  @Type(() => Number) @IsNumber() @IsPositive() @Max(720)
  ALERT_RETRY_HOURS: number = 24;

  /** The longest wait between two tries of an alert (capped full-jitter back-off from 1 s). */
  @Type(() => Number) @IsNumber() @IsPositive() @Max(86400)
  ALERT_RETRY_MAX_SECONDS: number = 600;

  /** How long a webhook has to answer one POST. */
  @Type(() => Number) @IsNumber() @IsPositive() @Max(60)
  ALERT_DELIVERY_TIMEOUT_SECONDS: number = 10;

  /**
   * Whether webhook URLs may be plain http: `yes`, `no`, or empty for yes outside production and
   * no in production (https only, so alerts and their signatures do not cross networks in clear).
   */
  @IsIn(['', 'yes', 'no'], { message: 'ALERT_WEBHOOK_ALLOW_HTTP must be yes, no or empty' })
  ALERT_WEBHOOK_ALLOW_HTTP: string = '';

  /**
   * Webhook hosts allowed though they are (or resolve to) loopback, private, link-local or other
   * non-public addresses, which are refused otherwise: comma-separated hostnames and CIDRs
   * (`hooks.internal,10.1.2.0/24,127.0.0.1`). Empty: public addresses only.
   */
  @IsString()
  @Matches(/^\s*$|^\s*([A-Za-z0-9.-]+|[0-9A-Fa-f:.]+)(\/\d{1,3})?(\s*,\s*([A-Za-z0-9.-]+|[0-9A-Fa-f:.]+)(\/\d{1,3})?)*\s*$/, {
    message: 'ALERT_WEBHOOK_ALLOWED_HOSTS must be comma-separated hostnames and CIDRs (10.1.0.0/16, 127.0.0.1, hooks.internal)',
  })
  ALERT_WEBHOOK_ALLOWED_HOSTS: string = '';

  /** How often the gateway asks every service's health for `service.not_ready` alerts (seconds; 0: never). */
  @Type(() => Number) @IsNumber() @Min(0) @Max(3600)
  ALERT_HEALTH_CHECK_SECONDS: number = 15;

  /** Checks in a row a service must fail (not answering, or not up) before its `service.not_ready` alert. */
  @Type(() => Number) @IsInt() @Min(1) @Max(100)
  ALERT_NOT_READY_CHECKS: number = 3;

  /** Whether webhook URLs may be plain http (see ALERT_WEBHOOK_ALLOW_HTTP). */
  get webhooksMayUseHttp(): boolean {
    return this.ALERT_WEBHOOK_ALLOW_HTTP === 'yes' || (this.ALERT_WEBHOOK_ALLOW_HTTP === '' && this.NODE_ENV !== 'production');
  }

  override productionProblems(): string[] {
    const problems = super.productionProblems();
    problems.push(...credentialsKeyProblems(this.CREDENTIALS_TRANSIT_KEY, 'CREDENTIALS_TRANSIT_KEY'));
    const keys = apiKeys(this);
    if (keys.includes(DEMO_API_KEY)) problems.push(`GATEWAY_API_KEYS must not hold the demo key "${DEMO_API_KEY}" in production`);
    if (keys.some((key) => key.length < 24)) problems.push('GATEWAY_API_KEYS: every key must be at least 24 characters in production (openssl rand -hex 24)');
    problems.push(...credentialsKeyProblems(this.WEBHOOK_SECRETS_KEY, 'WEBHOOK_SECRETS_KEY', [DEVELOPMENT_WEBHOOK_SECRETS_KEY]));
    return problems;
  }
}

export function apiKeys(settings: Pick<GatewaySettings, 'GATEWAY_API_KEYS'>): string[] {
  return String(settings.GATEWAY_API_KEYS ?? '')
    .split(',')
    .map((key) => key.trim())
    .filter((key) => key.length > 0);
}
