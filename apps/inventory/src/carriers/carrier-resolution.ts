import { AMAZON_CARRIER_CODES, OTHER_CARRIER_CODE } from '@connector/contracts';

/** What Amazon is told about a package's carrier. */
export interface ResolvedCarrier {
  carrierCode: string;
  /** Only with `Other`. */
  carrierName: string | null;
  /** How the carrier was found, for the log line and the metric. */
  source: 'code' | 'account-mapping' | 'mapping' | 'amazon-code' | 'other';
}

export interface CarrierMappingTarget {
  carrierCode: string;
  carrierName: string | null;
  /** Set for an account's own mapping (null or absent: the global one). */
  accountId?: string | null;
}

/** The key a seller's carrier name is stored and looked up under: case and outer spaces do not matter. */
export const carrierNameKey = (name: string): string => name.trim().replace(/\s+/g, ' ').toLowerCase();

const AMAZON_CODE_BY_KEY = new Map<string, string>();
// The first spelling wins where Amazon lists two that differ only in case (FedEx Freight).
for (const code of AMAZON_CARRIER_CODES) if (code !== OTHER_CARRIER_CODE && !AMAZON_CODE_BY_KEY.has(carrierNameKey(code))) AMAZON_CODE_BY_KEY.set(carrierNameKey(code), code);

/**
 * A carrier the seller named: its mapping first (the account's own, else the global one,
 * found by the caller; the seller's word wins, even over a name
 * that is also an Amazon code), then Amazon's code of that name in any case, else `Other`
 * with the name as given (Amazon shows it to the buyer), so a shipment is never refused for
 * a carrier Amazon does not list.
 */
export function resolveCarrier(given: string, mapping: CarrierMappingTarget | null): ResolvedCarrier {
  if (mapping) {
    return { carrierCode: mapping.carrierCode, carrierName: mapping.carrierCode === OTHER_CARRIER_CODE ? mapping.carrierName : null, source: mapping.accountId ? 'account-mapping' : 'mapping' };
  }
  const code = AMAZON_CODE_BY_KEY.get(carrierNameKey(given));
  if (code) return { carrierCode: code, carrierName: null, source: 'amazon-code' };
  return { carrierCode: OTHER_CARRIER_CODE, carrierName: given.trim().replace(/\s+/g, ' '), source: 'other' };
}
