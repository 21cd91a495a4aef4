import type { AddressInput, BuyerInput } from '@connector/contracts';

/** Lower case, no accents, punctuation or repeated spaces: "  Müller-Lüdenscheidt, K. " → "muller ludenscheidt k". */
export function normalizeText(value: string | undefined | null): string {
  return (value ?? '')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/[^\p{L}\p{N}@]+/gu, ' ')
    .trim();
}

/** An e-mail address as it is compared: Amazon's relay addresses differ only in case and spacing. */
export function normalizeEmail(value: string | undefined | null): string {
  return (value ?? '').normalize('NFKC').trim().toLowerCase();
}

/** "ab1 2cd" and "AB12CD" are one postal code; so are "12345-6789" and "123456789". */
export function normalizePostalCode(value: string | undefined | null): string {
  return (value ?? '').toUpperCase().replace(/[^A-Z0-9]/g, '');
}

/**
 * The buyer's identity. Amazon's buyer e-mail (an anonymised relay address, stable per buyer
 * and seller) wins; without it, name and company with the delivery country and postal code.
 */
export function contactMatchKey(buyer: BuyerInput, address: AddressInput, fallbackName: string): string {
  // Not normalizeEmail: existing match keys were made this way, and a new form would make every buyer new.
  const email = (buyer.email ?? '').trim().toLowerCase();
  if (email) return `email:${email}`;
  return ['name', normalizeText(buyer.name || address.name || fallbackName), normalizeText(buyer.companyName), address.countryCode, normalizePostalCode(address.postalCode)].join(':');
}

export function addressMatchKey(address: AddressInput): string {
  return [
    normalizeText(address.name),
    normalizeText(address.companyName),
    normalizeText(address.addressLine1),
    normalizeText(address.addressLine2),
    normalizeText(address.addressLine3),
    normalizeText(address.city),
    normalizeText(address.stateOrRegion),
    normalizePostalCode(address.postalCode),
    (address.countryCode ?? '').toUpperCase(),
  ].join('|');
}
