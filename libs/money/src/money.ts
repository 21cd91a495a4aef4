/**
 * Exact money arithmetic on decimal strings with two decimals, in integer minor units
 * (BigInt). Amazon sends amounts as decimal strings; binary floats never touch them.
 */
export class InvalidAmountError extends Error {}

const AMOUNT = /^(-)?(\d+)(?:\.(\d{1,2}))?$/;

/** "12.3" → 1230n. Rejects anything that is not a plain decimal with at most two decimals. */
export function toCents(amount: string | number | null | undefined): bigint {
  if (amount === null || amount === undefined || amount === '') return 0n;
  const text = typeof amount === 'number' ? String(amount) : amount.trim();
  const match = AMOUNT.exec(text);
  if (!match) throw new InvalidAmountError(`"${text}" is not an amount with at most two decimals`);
  const [, sign, whole, fraction = ''] = match;
  const cents = BigInt(whole) * 100n + BigInt((fraction + '00').slice(0, 2));
  return sign ? -cents : cents;
}

/** 1230n → "12.30" */
export function fromCents(cents: bigint): string {
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  const whole = abs / 100n;
  const fraction = (abs % 100n).toString().padStart(2, '0');
  return `${negative ? '-' : ''}${whole}.${fraction}`;
}

export function sumCents(values: bigint[]): bigint {
  return values.reduce((total, value) => total + value, 0n);
}

/** Adds decimal strings exactly. */
export function addAmounts(...amounts: (string | null | undefined)[]): string {
  return fromCents(sumCents(amounts.map(toCents)));
}

/** Integer division rounding half away from zero, for per-unit amounts. */
export function divideCents(cents: bigint, divisor: number): bigint {
  if (divisor <= 0) throw new RangeError('divisor must be positive');
  const d = BigInt(divisor);
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  const quotient = (abs * 2n + d) / (2n * d);
  return negative ? -quotient : quotient;
}
