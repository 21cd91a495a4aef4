import { AMAZON_CARRIER_CODES } from '@connector/contracts';
import { carrierNameKey, resolveCarrier } from './carrier-resolution';

describe('resolving the carrier a seller names', () => {
  it('takes the mapping of the name first, even when the name is also an Amazon code', () => {
    expect(resolveCarrier('dhl paket', { carrierCode: 'DHL', carrierName: null })).toEqual({ carrierCode: 'DHL', carrierName: null, source: 'mapping' });
    expect(resolveCarrier('DHL', { carrierCode: 'DHL eCommerce', carrierName: null })).toEqual({ carrierCode: 'DHL eCommerce', carrierName: null, source: 'mapping' });
  });

  it('keeps the carrier name of a mapping to Other, and drops a stray one of a mapping to a code', () => {
    expect(resolveCarrier('our van', { carrierCode: 'Other', carrierName: 'Van Dijk Koeriers' })).toEqual({ carrierCode: 'Other', carrierName: 'Van Dijk Koeriers', source: 'mapping' });
    expect(resolveCarrier('ups ground', { carrierCode: 'UPS', carrierName: 'UPS Ground' })).toEqual({ carrierCode: 'UPS', carrierName: null, source: 'mapping' });
  });

  it("without a mapping, matches Amazon's code in any case and spacing", () => {
    expect(resolveCarrier('royal  mail ', null)).toEqual({ carrierCode: 'Royal Mail', carrierName: null, source: 'amazon-code' });
    expect(resolveCarrier('ups', null)).toEqual({ carrierCode: 'UPS', carrierName: null, source: 'amazon-code' });
  });

  it('sends an unknown carrier as Other with its name, tidied', () => {
    expect(resolveCarrier('  Kurier  Müller ', null)).toEqual({ carrierCode: 'Other', carrierName: 'Kurier Müller', source: 'other' });
    // "Other" alone is not a carrier Amazon can show: it is a name like any other.
    expect(resolveCarrier('other', null)).toEqual({ carrierCode: 'Other', carrierName: 'other', source: 'other' });
  });

  it('keys names without regard to case and outer or repeated spaces', () => {
    expect(carrierNameKey('  DHL   Paket ')).toBe('dhl paket');
  });

  it("Amazon's list holds each code once, Other among them", () => {
    expect(new Set(AMAZON_CARRIER_CODES).size).toBe(AMAZON_CARRIER_CODES.length);
    expect(AMAZON_CARRIER_CODES).toContain('Other');
    for (const code of ['DHL', 'UPS', 'USPS', 'FedEx', 'Royal Mail', 'Deutsche Post', 'Hermes', 'GLS', 'DPD', 'Evri', 'InPost', 'Canada Post']) expect(AMAZON_CARRIER_CODES).toContain(code);
  });
});
