import { addAmounts, divideCents, fromCents, InvalidAmountError, toCents } from './money';

describe('money', () => {
  it('parses and formats two-decimal amounts exactly', () => {
    expect(toCents('12.3')).toBe(1230n);
    expect(toCents('-0.05')).toBe(-5n);
    expect(toCents('1000')).toBe(100000n);
    expect(fromCents(-5n)).toBe('-0.05');
    expect(fromCents(123456789012345n)).toBe('1234567890123.45');
  });

  it('adds without binary float error', () => {
    expect(addAmounts('0.10', '0.20')).toBe('0.30');
    expect(addAmounts('19.99', '-5.00', null, '4.01')).toBe('19.00');
  });

  it('rejects what is not a plain amount', () => {
    expect(() => toCents('1.234')).toThrow(InvalidAmountError);
    expect(() => toCents('abc')).toThrow(InvalidAmountError);
    expect(() => toCents('1e3')).toThrow(InvalidAmountError);
  });

  it('divides rounding half away from zero', () => {
    expect(divideCents(1000n, 3)).toBe(333n);
    expect(divideCents(1001n, 2)).toBe(501n);
    expect(divideCents(-1001n, 2)).toBe(-501n);
  });
});
