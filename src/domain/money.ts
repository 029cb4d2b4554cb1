import { parsedFail, parsedOk, type Parsed } from './parsed.ts';
import { quoteValue } from './quote-value.ts';

/*
 * Money stays a decimal string from the file to PostgreSQL: a float would turn 0.1 + 0.2 into
 * 0.30000000000000004 somewhere between a unit price and a daily revenue.
 */

/** The largest value of numeric(14, 2), the type of prices, subtotals and order totals. */
export const MAX_AMOUNT = '999999999999.99';
const MAX_AMOUNT_CENTS = 99_999_999_999_999;
const CLEARLY_FITS = 999_999_999_000;
const MAX_WHOLE_DIGITS = 12;

/** PostgreSQL `integer`. */
export const MAX_QUANTITY = 2_147_483_647;
const MAX_QUANTITY_DIGITS = 10;

const PRICE = /^(\d+)(?:\.(\d{1,2}))?$/;
const NEGATIVE = /^-\s*\d/;
const TOO_MANY_DECIMALS = /^\d+\.\d{3,}$/;
const DIGITS_AND_SEPARATORS = /^[\d.,]+$/;
const WHOLE_NUMBER = /^\d+$/;
const LEADING_ZEROS = /^0+(?=\d)/;
const ZERO = 48;

/** Reads `unit_price` into a canonical decimal string with two decimals ('1200.5' → '1200.50'). */
export function parseUnitPrice(raw: string): Parsed<string> {
  const text = raw.trim();
  if (text === '') return parsedFail('unit_price is empty');
  const match = PRICE.exec(text);
  if (match === null) return parsedFail(describeMalformedPrice(text));
  const wholeDigits = match[1] ?? '0';
  const whole = wholeDigits.charCodeAt(0) === ZERO ? wholeDigits.replace(LEADING_ZEROS, '') : wholeDigits;
  if (whole.length > MAX_WHOLE_DIGITS) {
    return parsedFail(`unit_price ${quoteValue(text)} is above the maximum of ${MAX_AMOUNT}`);
  }
  const cents = match[2] ?? '';
  // Most prices are already canonical ('1200.50'); building a new string for them is waste.
  if (cents.length === 2 && whole === wholeDigits) return parsedOk(text);
  return parsedOk(`${whole}.${cents.padEnd(2, '0')}`);
}

function describeMalformedPrice(text: string): string {
  const quoted = quoteValue(text);
  if (NEGATIVE.test(text)) return `unit_price ${quoted} is negative; it must be 0 or more`;
  if (TOO_MANY_DECIMALS.test(text)) return `unit_price ${quoted} has more than 2 decimal places`;
  if (DIGITS_AND_SEPARATORS.test(text) && text.includes(',')) {
    return `unit_price ${quoted} must use "." as the decimal point with at most 2 decimals and no thousands separators`;
  }
  return (
    `unit_price ${quoted} is not a plain decimal number such as 1200.50 ` +
    '(digits, then optionally "." and 1 or 2 decimals; no currency, sign, spaces or thousands separators)'
  );
}

/** Reads `quantity`: a whole number from 1 to 2147483647, digits only. */
export function parseQuantity(raw: string): Parsed<number> {
  const text = raw.trim();
  if (text === '') return parsedFail('quantity is empty');
  if (!WHOLE_NUMBER.test(text)) return parsedFail(`quantity ${quoteValue(text)} is not a whole number ≥ 1`);
  const digits = text.length > MAX_QUANTITY_DIGITS ? text.replace(LEADING_ZEROS, '') : text;
  // Comparing lengths first keeps a 30-digit value from rounding into range as a float.
  const quantity = digits.length > MAX_QUANTITY_DIGITS ? Number.POSITIVE_INFINITY : Number(digits);
  if (quantity > MAX_QUANTITY) return parsedFail(`quantity ${quoteValue(text)} is above the maximum of ${MAX_QUANTITY}`);
  if (quantity < 1) return parsedFail(`quantity ${quoteValue(text)} is not a whole number ≥ 1`);
  return parsedOk(quantity);
}

/**
 * Whether quantity × a canonical unit price (as parseUnitPrice returns it) still fits
 * numeric(14, 2). Counted in cents both factors are integers, and every product up to the limit
 * is below 2^53, so the float product is exact wherever the comparison is close.
 */
export function subtotalFits(quantity: number, unitPrice: string): boolean {
  // Far from the limit, the float product's rounding (well under a cent) cannot matter.
  if (Number(unitPrice) * quantity < CLEARLY_FITS) return true;
  return Number(unitPrice.replace('.', '')) * quantity <= MAX_AMOUNT_CENTS;
}
