/**
 * The column readers against the input contract (docs: INPUT_CONTRACT.md), column by column and
 * through its "Cases decided", each with the value or the reason the contract implies.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { createEmailHasher } from '../../../src/domain/email.ts';
import { createColumnReaders, type OrderLineContext } from '../../../src/domain/order-line-readers.ts';
import type { Parsed } from '../../../src/domain/parsed.ts';

const EMAIL_KEY = 'readers-test-key-0123456789abcdef';
const context: OrderLineContext = { sourceTimeZone: 'Africa/Nairobi', hashEmail: createEmailHasher(EMAIL_KEY) };
const read = createColumnReaders(context);

function valueOf<T>(parsed: Parsed<T>): T {
  if (!parsed.ok) throw new Error(`expected a value, got the reason ${parsed.reason}`);
  return parsed.value;
}

function reasonOf<T>(parsed: Parsed<T>): string {
  if (parsed.ok) throw new Error(`expected a reason, got ${String(parsed.value)}`);
  return parsed.reason;
}

describe('order_ref and sku: 1–64 characters after trimming, case-sensitive', () => {
  it.each(['order_ref', 'sku'] as const)('%s is read trimmed, as written', (column) => {
    expect(read[column]('  A-1\t')).toEqual({ ok: true, value: 'A-1' });
    expect(read[column]('a-1')).toEqual({ ok: true, value: 'a-1' });
  });

  it.each(['order_ref', 'sku'] as const)('%s of 64 characters is accepted, of 65 refused', (column) => {
    expect(valueOf(read[column]('R'.repeat(64)))).toBe('R'.repeat(64));
    expect(valueOf(read[column](` ${'R'.repeat(64)} `))).toBe('R'.repeat(64));
    expect(reasonOf(read[column]('R'.repeat(65)))).toBe(`${column} "${'R'.repeat(40)}…" is 65 characters long; the limit is 64`);
  });

  it('counts characters as PostgreSQL does, an emoji as one', () => {
    expect(valueOf(read.sku('📦'.repeat(64)))).toBe('📦'.repeat(64));
    expect(read.sku('📦'.repeat(65)).ok).toBe(false);
  });

  it.each(['order_ref', 'sku'] as const)('%s empty after trimming is refused', (column) => {
    expect(reasonOf(read[column](''))).toBe(`${column} is empty`);
    expect(reasonOf(read[column](' \t '))).toBe(`${column} is empty`);
  });
});

describe('product_name and category: free text, trimmed, required', () => {
  it.each(['product_name', 'category'] as const)('%s is read trimmed, with no length limit', (column) => {
    expect(valueOf(read[column]('  Thermos flask, 1 l '))).toBe('Thermos flask, 1 l');
    expect(valueOf(read[column]('x'.repeat(300)))).toBe('x'.repeat(300));
  });

  it.each(['product_name', 'category'] as const)('%s empty after trimming is refused', (column) => {
    expect(reasonOf(read[column]('  '))).toBe(`${column} is empty`);
  });

  it('accepts an @ that is not an address', () => {
    expect(valueOf(read.product_name('Tea@2.5kg'))).toBe('Tea@2.5kg');
  });
});

describe('customer_region: free text, trimmed, empty means unknown', () => {
  it.each([
    [' Lagos ', 'Lagos'],
    ['', null],
    ['   ', null],
  ])('reads %j as %j', (raw, expected) => {
    expect(read.customer_region(raw)).toEqual({ ok: true, value: expected });
  });
});

describe('text that cannot be stored as written', () => {
  it.each(['order_ref', 'customer_region', 'sku', 'product_name', 'category'] as const)(
    'refuses an email address in %s without quoting it',
    (column) => {
      const reason = reasonOf(read[column]('shifted jane.doe@example.com'));
      expect(reason).toBe(`${column} holds an email address (are the columns shifted?); emails belong only in customer_email`);
    },
  );

  it.each(['order_ref', 'customer_region', 'sku', 'product_name', 'category'] as const)('refuses a NUL character in %s', (column) => {
    expect(reasonOf(read[column]('A\u0000B'))).toBe(`${column} contains a NUL character, which cannot be stored`);
  });
});

describe('order_date: ISO 8601; an offset is that instant, none is the source time zone', () => {
  it.each([
    ['2024-03-01T10:15:00Z', '2024-03-01T10:15:00.000Z'],
    ['2024-03-01T10:15:00+01:00', '2024-03-01T09:15:00.000Z'],
    ['2024-10-27 01:30:00.25+01:00', '2024-10-27T00:30:00.250Z'],
    // Nairobi is three hours ahead of UTC all year.
    ['2024-03-01T10:15:00', '2024-03-01T07:15:00.000Z'],
    ['2024-03-01', '2024-02-29T21:00:00.000Z'],
    ['  2024-03-01T10:15  ', '2024-03-01T07:15:00.000Z'],
  ])('reads %j in Africa/Nairobi as %s', (raw, instant) => {
    expect(valueOf(read.order_date(raw)).toISOString()).toBe(instant);
  });

  it('does not let the source time zone move a value that has an offset', () => {
    const inNewYork = createColumnReaders({ ...context, sourceTimeZone: 'America/New_York' });
    expect(valueOf(inNewYork.order_date('2024-03-01T10:15:00Z')).toISOString()).toBe('2024-03-01T10:15:00.000Z');
    expect(valueOf(inNewYork.order_date('2024-03-01T10:15:00')).toISOString()).toBe('2024-03-01T15:15:00.000Z');
  });

  it('reads a wall time in a spring-forward gap an hour later, as the zone\'s clocks did', () => {
    const inLondon = createColumnReaders({ ...context, sourceTimeZone: 'Europe/London' });
    expect(valueOf(inLondon.order_date('2024-03-31T01:30'))).toEqual(new Date('2024-03-31T01:30:00Z'));
  });

  it.each([
    ['', 'order_date is empty'],
    ['2024-02-30', 'order_date "2024-02-30" is not a real date-time: February 2024 has 29 days'],
  ])('refuses %j', (raw, reason) => {
    expect(reasonOf(read.order_date(raw))).toBe(reason);
  });

  it('refuses a value that is not ISO 8601', () => {
    expect(reasonOf(read.order_date('yesterday'))).toMatch(/^order_date "yesterday" is not an ISO 8601 date/);
    expect(read.order_date('01/03/2024').ok).toBe(false);
  });
});

describe('customer_email: a valid address, stored only as its keyed hash', () => {
  const hmac = (normalized: string): string => createHmac('sha256', EMAIL_KEY).update(normalized, 'utf8').digest('hex');

  it('hashes the trimmed, lower-cased address with the key', () => {
    expect(read.customer_email(' Jane.Doe@Example.COM ')).toEqual({ ok: true, value: hmac('jane.doe@example.com') });
    expect(valueOf(read.customer_email('jane.doe@example.com'))).toBe(hmac('jane.doe@example.com'));
  });

  it('never quotes the value in a reason', () => {
    expect(reasonOf(read.customer_email(''))).toBe('customer_email is empty');
    for (const raw of ['jane.doe', 'jane@@example.com', 'jane doe@example.com', 'a@b']) {
      expect(reasonOf(read.customer_email(raw))).toBe('customer_email is not a valid address');
    }
  });
});

describe('quantity: a whole number from 1 to 2,147,483,647, digits only', () => {
  it.each([
    ['007', 7],
    [' 3 ', 3],
    ['1', 1],
    ['2147483647', 2_147_483_647],
  ])('reads %j as %d', (raw, expected) => {
    expect(read.quantity(raw)).toEqual({ ok: true, value: expected });
  });

  it.each(['+3', '3.0', '1e3', '0', '-1', '1.5', 'abc'])('refuses %j', (raw) => {
    expect(reasonOf(read.quantity(raw))).toBe(`quantity ${JSON.stringify(raw)} is not a whole number ≥ 1`);
  });

  it('refuses a quantity above the limit instead of truncating it', () => {
    expect(reasonOf(read.quantity('2147483648'))).toBe('quantity "2147483648" is above the maximum of 2147483647');
  });

  it('says an empty quantity is empty', () => {
    expect(reasonOf(read.quantity(''))).toBe('quantity is empty');
  });
});

describe('unit_price: digits, then optionally "." and one or two decimals, at most 999,999,999,999.99', () => {
  it.each([
    ['10', '10.00'],
    ['10.5', '10.50'],
    ['10.55', '10.55'],
    ['0', '0.00'],
    [' 3.5 ', '3.50'],
    ['007.5', '7.50'],
    ['999999999999.99', '999999999999.99'],
  ])('reads %j as the decimal string %s', (raw, expected) => {
    expect(read.unit_price(raw)).toEqual({ ok: true, value: expected });
  });

  it.each(['10.', '.5', '+5', '1e3', 'KES 50', '$5', '1 200'])('refuses %j as not a plain decimal', (raw) => {
    expect(reasonOf(read.unit_price(raw))).toMatch(/^unit_price ".*" is not a plain decimal number such as 1200\.50/);
  });

  it.each([
    ['-1', 'unit_price "-1" is negative; it must be 0 or more'],
    ['1.234', 'unit_price "1.234" has more than 2 decimal places'],
    ['1,200.00', 'unit_price "1,200.00" must use "." as the decimal point with at most 2 decimals and no thousands separators'],
    ['1000000000000', 'unit_price "1000000000000" is above the maximum of 999999999999.99'],
    ['', 'unit_price is empty'],
  ])('refuses %j', (raw, reason) => {
    expect(reasonOf(read.unit_price(raw))).toBe(reason);
  });
});

describe('payment_method: normalized case-insensitively, ignoring spaces, "-" and "_"', () => {
  it.each([
    ['mpesa', 'mpesa'],
    ['M-Pesa', 'mpesa'],
    ['m_pesa', 'mpesa'],
    ['Paystack', 'paystack'],
    ['card', 'card'],
    ['Credit Card', 'card'],
    ['debit-card', 'card'],
    ['Bank Transfer', 'bank_transfer'],
    ['BANK', 'bank_transfer'],
    ['eft', 'bank_transfer'],
    [' card ', 'card'],
    ['crypto', 'other'],
  ])('reads %j as %s', (raw, expected) => {
    expect(read.payment_method(raw)).toEqual({ ok: true, value: expected });
  });

  it.each(['', '  '])('refuses %j as empty', (raw) => {
    expect(reasonOf(read.payment_method(raw))).toBe('payment_method is empty');
  });
});

describe('remembered results', () => {
  it('answer a repeated value as its first reading did, also after other values', () => {
    const fresh = createColumnReaders(context);
    const values = ['2024-03-01T10:15:00', '2024-03-02', 'nope', '2024-03-01T10:15:00'];
    const first = values.map((raw) => fresh.order_date(raw));
    for (let pass = 0; pass < 3; pass += 1) {
      expect(values.map((raw) => fresh.order_date(raw))).toEqual(first);
      expect(fresh.customer_email('A@B.com')).toEqual(read.customer_email('a@b.com'));
      expect(fresh.payment_method('M-Pesa')).toEqual({ ok: true, value: 'mpesa' });
      expect(fresh.payment_method('crypto')).toEqual({ ok: true, value: 'other' });
    }
    expect(first.map((parsed) => parsed.ok && parsed.value.toISOString())).toEqual([
      '2024-03-01T07:15:00.000Z',
      '2024-03-01T21:00:00.000Z',
      false,
      '2024-03-01T07:15:00.000Z',
    ]);
  });
});
