/**
 * Exact money: integer minor units (cents) inside, 2-decimal strings outside.
 * Never binary floats, so totals add up to the cent.
 */
export function formatCents(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new Error(`not an integer amount of cents: ${cents}`);
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** Parses "12.34", "-5", "0.5" into cents; throws on anything else (or more than 2 decimals). */
export function parseCents(amount: string): number {
  const m = /^(-)?(\d+)(?:\.(\d{1,2}))?$/.exec(amount);
  if (!m) throw new Error(`not a money amount: "${amount}"`);
  const cents = Number(m[2]) * 100 + Number((m[3] ?? '0').padEnd(2, '0'));
  return m[1] ? -cents : cents;
}

/** round(numerator / denominator), halves away from zero, for non-negative integers. */
function divRoundHalfUp(numerator: number, denominator: number): number {
  return Math.floor((2 * numerator + denominator) / (2 * denominator));
}

/** VAT contained in a tax-included gross amount: round(gross × rate / (1 + rate)). */
export function includedTax(grossCents: number, rateBp: number): number {
  return divRoundHalfUp(grossCents * rateBp, 10000 + rateBp);
}

/** Tax added on top of a net amount: round(net × rate). */
export function addedTax(netCents: number, rateBp: number): number {
  return divRoundHalfUp(netCents * rateBp, 10000);
}
