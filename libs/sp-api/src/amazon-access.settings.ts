import { Transform, Type } from 'class-transformer';
import { isIP } from 'node:net';
import { IsInt, IsNumber, IsPositive, Max, Min } from 'class-validator';
import { CheckedBy, credentialsKeyProblems, DEVELOPMENT_CREDENTIALS_KEY, IsCredentialsKey, ServiceSettings } from '@connector/platform';
import { AmazonEndpoints, parseAllowedEndpoints } from './amazon-endpoints';
import { DataSource } from 'typeorm';
import { DEFAULT_MAX_RETRIES, SpApiClients } from './sp-api-client';
import { AmazonQuotas, quotaStorePool, SharedQuotas } from './amazon-quotas';

/** Settings of the services that open account secrets and call Amazon (order-ingestion, amazon-notifications). */
export class AmazonAccessSettings extends ServiceSettings {
  /**
   * Encrypts LWA client secrets and refresh tokens at rest; the same in every service that opens
   * them. Comma-separated: the first key seals, all open (rotation). `base64:<32 bytes>` or a
   * passphrase of 16 characters or more.
   */
  @IsCredentialsKey() CREDENTIALS_KEY = DEVELOPMENT_CREDENTIALS_KEY;

  /**
   * Base URLs besides Amazon's own hosts that an account may point at (comma-separated), for
   * a sandbox or a stand-in. Empty: secrets go to Amazon only.
   */
  @CheckedBy('allowedEndpoints', (value) => AmazonEndpoints.fromSetting(value)) AMAZON_ALLOWED_ENDPOINTS = '';

  /** Only for a sandbox whose clock runs faster: speeds our pacing up by the same factor. */
  @Type(() => Number) @IsNumber() @IsPositive() SPAPI_RATE_SCALE = 1;

  /**
   * Retries of one SP-API call, whatever failed it: a 5xx or a network failure (backed off up to
   * 15 s each) or a 429 (after the quota's wait). 8 rides out a blip of about half a minute; 0: a
   * call fails at once and its run (or sender) retries on its own schedule. Empty is refused, not 0.
   */
  // @Type has made '' a 0 by now: the raw value decides.
  @Transform(({ value, obj, key }) => (obj[key] === '' ? Number.NaN : value))
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(20)
  SPAPI_RETRIES = DEFAULT_MAX_RETRIES;

  override productionProblems(): string[] {
    const problems = super.productionProblems();
    problems.push(...credentialsKeyProblems(this.CREDENTIALS_KEY));
    const sandbox = parseAllowedEndpoints(this.AMAZON_ALLOWED_ENDPOINTS).filter(isLocalStandIn);
    if (sandbox.length) problems.push(`AMAZON_ALLOWED_ENDPOINTS must not name a sandbox in production (plain http or a local host): ${sandbox.join(', ')}`);
    if (this.SPAPI_RATE_SCALE !== 1) problems.push('SPAPI_RATE_SCALE must be 1 in production: only a sandbox runs a faster clock');
    return problems;
  }
}

/** A base URL only a stand-in has: plain HTTP, or a host of this machine or a private network. */
export function isLocalStandIn(base: string): boolean {
  const url = new URL(base);
  const host = url.hostname.replace(/\.$/, '').replace(/^\[|\]$/g, '').toLowerCase();
  if (url.protocol === 'http:' || host === 'localhost' || host.endsWith('.localhost') || host === '0.0.0.0') return true;
  if (isIP(host) === 4) return /^(127\.|10\.|192\.168\.|169\.254\.|172\.(1[6-9]|2\d|3[01])\.)/.test(host);
  if (isIP(host) === 6) return host === '::1' || host === '::' || /^(fc|fd|fe80)/.test(host) || host.startsWith('::ffff:');
  return false;
}

export function amazonEndpoints(settings: Pick<AmazonAccessSettings, 'AMAZON_ALLOWED_ENDPOINTS'>): AmazonEndpoints {
  return AmazonEndpoints.fromSetting(settings.AMAZON_ALLOWED_ENDPOINTS);
}

/**
 * The Nest providers of a service that calls Amazon: the endpoints its secrets may go to, Amazon's
 * quotas shared with every other process in the service's database (amazon_quotas), and its SP-API
 * clients (one per account, paced per operation) bound to both.
 */
export function amazonAccessProviders(settings: Pick<AmazonAccessSettings, 'AMAZON_ALLOWED_ENDPOINTS' | 'SPAPI_RATE_SCALE' | 'SPAPI_RETRIES'>) {
  const endpoints = amazonEndpoints(settings);
  return [
    { provide: AmazonEndpoints, useValue: endpoints },
    { provide: AmazonQuotas, useFactory: (db: DataSource) => new SharedQuotas(quotaStorePool(db), { scale: settings.SPAPI_RATE_SCALE }), inject: [DataSource] },
    {
      provide: SpApiClients,
      useFactory: (quotas: AmazonQuotas) => new SpApiClients({ rateScale: settings.SPAPI_RATE_SCALE, maxRetries: settings.SPAPI_RETRIES, endpoints, quotas }),
      inject: [AmazonQuotas],
    },
  ];
}
