import { Type } from 'class-transformer';
import { IsNumber, IsPositive, MinLength, Validate, ValidatorConstraint, ValidatorConstraintInterface } from 'class-validator';
import { ServiceSettings } from '@connector/platform';
import { AmazonEndpoints } from './amazon-endpoints';

@ValidatorConstraint({ name: 'allowedEndpoints' })
class AllowedEndpointsConstraint implements ValidatorConstraintInterface {
  private reason = '';
  validate(value: unknown): boolean {
    try {
      AmazonEndpoints.fromSetting(String(value ?? ''));
      return true;
    } catch (err) {
      this.reason = err.message;
      return false;
    }
  }
  defaultMessage(): string {
    return this.reason;
  }
}

/** Settings of the services that open account secrets and call Amazon (order-ingestion, amazon-notifications). */
export class AmazonAccessSettings extends ServiceSettings {
  /** Encrypts LWA client secrets and refresh tokens at rest; the same key in every service that opens them. */
  @MinLength(16) CREDENTIALS_KEY = 'local-development-credentials-key';

  /**
   * Base URLs besides Amazon's own hosts that an account may point at (comma-separated), for
   * a sandbox or a stand-in. Empty: secrets go to Amazon only.
   */
  @Validate(AllowedEndpointsConstraint) AMAZON_ALLOWED_ENDPOINTS = '';

  /** Only for a sandbox whose clock runs faster: speeds our pacing up by the same factor. */
  @Type(() => Number) @IsNumber() @IsPositive() SPAPI_RATE_SCALE = 1;
}

export function amazonEndpoints(settings: Pick<AmazonAccessSettings, 'AMAZON_ALLOWED_ENDPOINTS'>): AmazonEndpoints {
  return AmazonEndpoints.fromSetting(settings.AMAZON_ALLOWED_ENDPOINTS);
}
