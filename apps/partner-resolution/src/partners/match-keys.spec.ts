import { addressMatchKey, contactMatchKey, normalizePostalCode, normalizeText } from './match-keys';

describe('partner match keys', () => {
  it('ignores case, accents, punctuation and spacing', () => {
    expect(normalizeText('  Müller-Lüdenscheidt,  K. ')).toBe('muller ludenscheidt k');
    expect(normalizeText('Straße 5')).toBe('strasse 5');
  });

  it('treats postal code formats alike', () => {
    expect(normalizePostalCode('ab1 2cd')).toBe(normalizePostalCode('AB12CD'));
    expect(normalizePostalCode('12345-6789')).toBe('123456789');
  });

  it('matches the same address written differently', () => {
    const a = { name: 'Jane Doe', addressLine1: '1 Main St.', city: 'Seattle', postalCode: '98101-1234', countryCode: 'US' };
    const b = { name: 'JANE  DOE', addressLine1: '1 main st', city: 'seattle', postalCode: '981011234', countryCode: 'US' };
    expect(addressMatchKey(a)).toBe(addressMatchKey(b));
    expect(addressMatchKey({ ...a, addressLine1: '2 Main St.' })).not.toBe(addressMatchKey(a));
  });

  it('prefers the buyer e-mail and falls back to name, country and postal code', () => {
    const address = { countryCode: 'DE', postalCode: '10115' };
    expect(contactMatchKey({ email: 'ABC@marketplace.amazon.de', name: 'X' }, address, 'p')).toBe('email:abc@marketplace.amazon.de');
    expect(contactMatchKey({ name: 'Jane Doe' }, address, 'p')).toBe(contactMatchKey({ name: 'jane doe.' }, { countryCode: 'DE', postalCode: '10 115' }, 'p'));
    expect(contactMatchKey({ name: 'Jane Doe', companyName: 'ACME' }, address, 'p')).not.toBe(contactMatchKey({ name: 'Jane Doe' }, address, 'p'));
  });
});
