import { Inject, Injectable } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { SecretBox, SETTINGS } from '@connector/platform';
import type { PartnerSettings } from '../partner.settings';

/** Where a personal value is kept, so a sealed one copied to another row or column does not open. */
export type PersonalField = `${'contacts' | 'delivery_addresses'}.${string}`;

/** A value sealed by PersonalDataBox (SecretBox's v2 form). */
export const isSealed = (value: string | null | undefined): boolean => !!value && value.startsWith('v2:');

/**
 * Buyers' names, addresses, phones and e-mails at rest (Amazon's Data Protection Policy):
 * sealed with AES-256-GCM bound to the row and column, and keyed hashes (HMAC-SHA256) of their
 * normalised forms for what must still be found by value: de-duplication and search.
 */
@Injectable()
export class PersonalDataBox {
  private readonly box: SecretBox;
  private readonly hashKey: Buffer;

  constructor(@Inject(SETTINGS) settings: PartnerSettings) {
    this.box = new SecretBox(settings.PERSONAL_DATA_KEY);
    this.hashKey = Buffer.from(settings.PERSONAL_DATA_HASH_KEY, 'utf8');
  }

  /** The id of the key that seals now; values sealed with another are sealed again at start-up. */
  get currentKeyId(): string {
    return this.box.currentKeyId;
  }

  seal(value: string | null | undefined, field: PersonalField, rowId: string): string | null {
    return value === null || value === undefined ? null : this.box.encrypt(value, `${field}/${rowId}`);
  }

  /** Opens a sealed value; a value written before sealing (or a placeholder) is returned as it is. */
  open(value: string | null, field: PersonalField, rowId: string): string | null {
    return isSealed(value) ? this.box.decrypt(value!, `${field}/${rowId}`) : value;
  }

  /** Whether a value should be sealed again (key rotation, or not sealed yet). */
  needsSealing(value: string | null): boolean {
    return value !== null && (!isSealed(value) || this.box.needsResealing(value));
  }

  /** A keyed hash: equal inputs meet, and nothing of the input can be read from it. */
  index(normalized: string): string {
    return `h1:${createHmac('sha256', this.hashKey).update(normalized, 'utf8').digest('hex')}`;
  }
}
