import { credentialsKeyProblems, IsCredentialsKey, ServiceSettings } from '@connector/platform';
import { Type } from 'class-transformer';
import { IsNumber, IsPositive, IsString, MinLength } from 'class-validator';

export const DEVELOPMENT_PERSONAL_DATA_KEY = 'local-development-personal-data-key';
export const DEVELOPMENT_PERSONAL_DATA_HASH_KEY = 'local-development-personal-data-hash-key';

export class PartnerSettings extends ServiceSettings {
  /**
   * Encrypts buyers' names, addresses, phones and e-mails at rest (AES-256-GCM, as
   * CREDENTIALS_KEY: `base64:<32 bytes>` or a passphrase; comma-separated while rotating).
   */
  @IsCredentialsKey() PERSONAL_DATA_KEY = DEVELOPMENT_PERSONAL_DATA_KEY;
  /**
   * Keys the hashes that find a returning buyer and searches by name (HMAC-SHA256). Never
   * rotated: a new one makes every buyer new.
   */
  @IsString() @MinLength(16) PERSONAL_DATA_HASH_KEY = DEVELOPMENT_PERSONAL_DATA_HASH_KEY;
  /**
   * How often contacts written without an e-mail index (by a replica of an older version, during
   * an upgrade) are looked for and indexed: until then, an orders search by that e-mail misses them.
   */
  @Type(() => Number) @IsNumber() @IsPositive() EMAIL_INDEX_INTERVAL_SECONDS: number = 300;

  override productionProblems(): string[] {
    const problems = super.productionProblems();
    problems.push(...credentialsKeyProblems(this.PERSONAL_DATA_KEY, 'PERSONAL_DATA_KEY', [DEVELOPMENT_PERSONAL_DATA_KEY]));
    if (this.PERSONAL_DATA_HASH_KEY === DEVELOPMENT_PERSONAL_DATA_HASH_KEY) problems.push('PERSONAL_DATA_HASH_KEY must be your own key in production (openssl rand -base64 32)');
    return problems;
  }
}
