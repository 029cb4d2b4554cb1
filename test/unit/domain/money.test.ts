import { describe, expect, it } from '@jest/globals';
import { parseQuantity, parseUnitPrice, subtotalFits } from '../../../src/domain/money.ts';
import type { Parsed } from '../../../src/domain/parsed.ts';

function reasonOf<T>(parsed: Parsed<T>): string {
  if (parsed.ok) throw new Error(`expected a failure, got ${String(parsed.value)}`);
  return parsed.reason;
}

describe('parseUnitPrice', () => {
  it.each([
    ['10', '10.00'],
    ['1200.5', '1200.50'],
    ['1200.50', '1200.50'],
    ['0', '0.00'],
    ['0.00', '0.00'],
    ['0.1', '0.10'],
    ['007.5', '7.50'],
    [' 12.34 ', '12.34'],
    ['999999999999.99', '999999999999.99'],
  ])('reads %j as the decimal string %s', (raw, expected) => {
    expect(parseUnitPrice(raw)).toEqual({ ok: true, value: expected });
  });

  it('never returns a float', () => {
    const parsed = parseUnitPrice('0.30');
    expect(parsed.ok && typeof parsed.value).toBe('string');
  });

  it('refuses a negative price', () => {
    expect(reasonOf(parseUnitPrice('-1'))).toBe('unit_price "-1" is negative; it must be 0 or more');
  });

  it('refuses more than 2 decimal places', () => {
    expect(reasonOf(parseUnitPrice('1.234'))).toBe('unit_price "1.234" has more than 2 decimal places');
  });

  it('refuses thousands separators and a decimal comma', () => {
    const expected =
      'unit_price "1,200.00" must use "." as the decimal point with at most 2 decimals and no thousands separators';
    expect(reasonOf(parseUnitPrice('1,200.00'))).toBe(expected);
    expect(reasonOf(parseUnitPrice('12,50'))).toMatch(/must use "\." as the decimal point/);
  });

  it.each(['KES 50', '$5', '50 KES', '5.', '.5', '+5', '1e3', '1 200', 'NaN', 'abc'])(
    'refuses %j as not a plain decimal',
    (raw) => {
      expect(reasonOf(parseUnitPrice(raw))).toMatch(/^unit_price ".*" is not a plain decimal number/);
    },
  );

  it('refuses a price too large for numeric(14, 2)', () => {
    expect(reasonOf(parseUnitPrice('1000000000000'))).toBe(
      'unit_price "1000000000000" is above the maximum of 999999999999.99',
    );
    expect(parseUnitPrice('0001000000000000.00').ok).toBe(false);
    expect(parseUnitPrice('000999999999999.99').ok).toBe(true);
  });

  it('says an empty price is empty', () => {
    expect(reasonOf(parseUnitPrice('  '))).toBe('unit_price is empty');
  });
});

describe('parseQuantity', () => {
  it.each([
    ['1', 1],
    [' 3 ', 3],
    ['007', 7],
    ['2147483647', 2_147_483_647],
  ])('reads %j as %d', (raw, expected) => {
    expect(parseQuantity(raw)).toEqual({ ok: true, value: expected });
  });

  it.each(['0', '000', '-1', '1.5', '1.0', 'abc', '1e3', '+1', '2 3'])('refuses %j', (raw) => {
    expect(reasonOf(parseQuantity(raw))).toBe(`quantity ${JSON.stringify(raw)} is not a whole number ≥ 1`);
  });

  it('refuses a quantity too large for an integer column', () => {
    expect(reasonOf(parseQuantity('2147483648'))).toBe('quantity "2147483648" is above the maximum of 2147483647');
    expect(parseQuantity('99999999999999999999999999').ok).toBe(false);
  });

  it('says an empty quantity is empty', () => {
    expect(reasonOf(parseQuantity(''))).toBe('quantity is empty');
  });
});

describe('subtotalFits', () => {
  it('accepts a subtotal up to 999999999999.99 and not a cent more', () => {
    expect(subtotalFits(1, '999999999999.99')).toBe(true);
    expect(subtotalFits(2, '999999999999.99')).toBe(false);
    expect(subtotalFits(10, '99999999999.99')).toBe(true);
    expect(subtotalFits(11, '99999999999.99')).toBe(false);
    expect(subtotalFits(3, '333333333333.33')).toBe(true);
    expect(subtotalFits(3, '333333333333.34')).toBe(false);
    expect(subtotalFits(2_147_483_647, '46566.12')).toBe(false);
    expect(subtotalFits(2_147_483_647, '0.01')).toBe(true);
  });
});
