import { describe, expect, it } from '@jest/globals';
import { createEmailHasher } from '../../../src/domain/email.ts';
import { resolveHeader } from '../../../src/domain/header.ts';
import { ORDER_LINE_COLUMNS, REQUIRED_COLUMNS, type OrderLineColumn } from '../../../src/domain/order-line-columns.ts';
import {
  createOrderLineValidator,
  type OrderLineResult,
  type RowProblem,
} from '../../../src/domain/order-line.ts';
import type { OrderLineContext } from '../../../src/domain/order-line-readers.ts';

const hashEmail = createEmailHasher('order-line-test-key-0123456789');
const context: OrderLineContext = { sourceTimeZone: 'Africa/Nairobi', hashEmail };
const { columns } = resolveHeader([...ORDER_LINE_COLUMNS]);
/** One validator for the whole test file, as the parser holds one for a whole CSV file. */
const validateRecord = createOrderLineValidator(context);

const VALID: Record<OrderLineColumn, string> = {
  order_ref: 'ORD-1001',
  order_date: '2024-03-01T10:15:00',
  customer_email: 'Jane.Doe@Example.com',
  customer_region: 'Nairobi',
  sku: 'SKU-42',
  product_name: 'Thermos flask, 1 l',
  category: 'Kitchen',
  quantity: '2',
  unit_price: '1200.5',
  payment_method: 'M-Pesa',
};

function record(overrides: Partial<Record<OrderLineColumn, string>> = {}): string[] {
  const values = { ...VALID, ...overrides };
  return ORDER_LINE_COLUMNS.map((column) => values[column]);
}

function validate(overrides: Partial<Record<OrderLineColumn, string>> = {}): OrderLineResult {
  return validateRecord(record(overrides), columns);
}

function problems(overrides: Partial<Record<OrderLineColumn, string>>): RowProblem[] {
  const result = validate(overrides);
  if (result.ok) throw new Error('expected the row to be rejected');
  return result.errors;
}

function onlyReason(overrides: Partial<Record<OrderLineColumn, string>>): RowProblem {
  const errors = problems(overrides);
  expect(errors).toHaveLength(1);
  return errors[0] as RowProblem;
}

describe('createOrderLineValidator: a valid row', () => {
  it('becomes an order line with normalized values', () => {
    expect(validate()).toEqual({
      ok: true,
      line: {
        orderRef: 'ORD-1001',
        orderDate: new Date('2024-03-01T07:15:00.000Z'),
        emailHash: hashEmail('jane.doe@example.com'),
        customerRegion: 'Nairobi',
        sku: 'SKU-42',
        productName: 'Thermos flask, 1 l',
        category: 'Kitchen',
        quantity: 2,
        unitPrice: '1200.50',
        paymentMethod: 'mpesa',
      },
    });
  });

  it('trims every value', () => {
    const result = validate({
      order_ref: '  ORD-1001 ',
      customer_region: ' Nairobi ',
      sku: '\tSKU-42 ',
      product_name: ' Flask ',
      category: ' Kitchen ',
      quantity: ' 2 ',
      unit_price: ' 3.5 ',
      payment_method: ' card ',
    });
    expect(result.ok && result.line).toMatchObject({
      orderRef: 'ORD-1001',
      customerRegion: 'Nairobi',
      sku: 'SKU-42',
      productName: 'Flask',
      category: 'Kitchen',
      quantity: 2,
      unitPrice: '3.50',
      paymentMethod: 'card',
    });
  });

  it('hashes the normalized email, so spellings of one address agree', () => {
    const a = validate({ customer_email: ' A@B.com ' });
    const b = validate({ customer_email: 'a@b.com' });
    expect(a.ok && b.ok).toBe(true);
    expect(a.ok && a.line.emailHash).toBe(b.ok && b.line.emailHash);
    expect(a.ok && a.line.emailHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('never carries the email itself', () => {
    const result = validate();
    expect(JSON.stringify(result)).not.toMatch(/@|jane/i);
  });

  it('reads an empty region as unknown', () => {
    const result = validate({ customer_region: '   ' });
    expect(result.ok && result.line.customerRegion).toBeNull();
  });

  it('reads a region column absent from the header as unknown', () => {
    const header = resolveHeader([...REQUIRED_COLUMNS]);
    const values = { ...VALID };
    const result = validateRecord(
      REQUIRED_COLUMNS.map((column) => values[column]),
      header.columns,
    );
    expect(result.ok && result.line.customerRegion).toBeNull();
  });

  it('accepts order_ref and sku of exactly 64 characters, counting an emoji as one', () => {
    const result = validate({ order_ref: 'R'.repeat(64), sku: '📦'.repeat(64) });
    expect(result.ok).toBe(true);
  });

  it('accepts a zero price', () => {
    const result = validate({ unit_price: '0' });
    expect(result.ok && result.line.unitPrice).toBe('0.00');
  });

  it('reads a time with an offset as that instant', () => {
    const result = validate({ order_date: '2024-03-01T10:15:00Z' });
    expect(result.ok && result.line.orderDate.toISOString()).toBe('2024-03-01T10:15:00.000Z');
  });

  it('gives each line its own Date, even for a repeated order date', () => {
    const validator = createOrderLineValidator(context);
    const first = validator(record(), columns);
    const second = validator(record(), columns);
    expect(first.ok && second.ok).toBe(true);
    if (first.ok && second.ok) {
      expect(second.line.orderDate).toEqual(first.line.orderDate);
      expect(second.line.orderDate).not.toBe(first.line.orderDate);
    }
  });

  it('answers the same with a new validator as with one that has read many rows', () => {
    const validator = createOrderLineValidator(context);
    expect(validator(record(), columns)).toEqual(validate());
  });
});

describe('createOrderLineValidator: row rules', () => {
  it.each([
    ['order_ref', '', 'order_ref is empty'],
    ['order_ref', '   ', 'order_ref is empty'],
    ['order_ref', 'R'.repeat(65), `order_ref "${'R'.repeat(40)}…" is 65 characters long; the limit is 64`],
    ['sku', '', 'sku is empty'],
    ['sku', 'S'.repeat(65), `sku "${'S'.repeat(40)}…" is 65 characters long; the limit is 64`],
    ['product_name', ' ', 'product_name is empty'],
    ['category', '', 'category is empty'],
    ['customer_email', '', 'customer_email is empty'],
    ['customer_email', 'jane.doe', 'customer_email is not a valid address'],
    ['customer_email', 'jane@@example.com', 'customer_email is not a valid address'],
    ['quantity', '0', 'quantity "0" is not a whole number ≥ 1'],
    ['quantity', '-1', 'quantity "-1" is not a whole number ≥ 1'],
    ['quantity', '1.5', 'quantity "1.5" is not a whole number ≥ 1'],
    ['quantity', 'abc', 'quantity "abc" is not a whole number ≥ 1'],
    ['unit_price', '-1', 'unit_price "-1" is negative; it must be 0 or more'],
    ['unit_price', '1.234', 'unit_price "1.234" has more than 2 decimal places'],
    [
      'unit_price',
      '1,200.00',
      'unit_price "1,200.00" must use "." as the decimal point with at most 2 decimals and no thousands separators',
    ],
    ['payment_method', '', 'payment_method is empty'],
    ['payment_method', '  ', 'payment_method is empty'],
  ] as const)('refuses %s %j', (column, value, reason) => {
    expect(onlyReason({ [column]: value })).toEqual({ column, reason });
  });

  it('refuses a price with a currency', () => {
    const problem = onlyReason({ unit_price: 'KES 50' });
    expect(problem.column).toBe('unit_price');
    expect(problem.reason).toMatch(/^unit_price "KES 50" is not a plain decimal number/);
  });

  it.each([
    ['2024-02-30', 'February 2024 has 29 days'],
    ['2024-13-01', 'there is no month 13'],
    ['2024-03-01T25:00', 'hour 25 is past 23'],
  ])('refuses the date %j', (value, problem) => {
    expect(onlyReason({ order_date: value })).toEqual({
      column: 'order_date',
      reason: `order_date "${value}" is not a real date-time: ${problem}`,
    });
  });

  it('refuses "yesterday" as a date', () => {
    const problem = onlyReason({ order_date: 'yesterday' });
    expect(problem.column).toBe('order_date');
    expect(problem.reason).toMatch(/^order_date "yesterday" is not an ISO 8601 date/);
  });

  it('refuses an empty date', () => {
    expect(onlyReason({ order_date: '' })).toEqual({ column: 'order_date', reason: 'order_date is empty' });
  });

  it('accepts every non-empty payment method, mapping unknown ones to other', () => {
    const result = validate({ payment_method: 'crypto' });
    expect(result.ok && result.line.paymentMethod).toBe('other');
  });

  it('refuses a line whose subtotal would not fit the database', () => {
    expect(onlyReason({ quantity: '2', unit_price: '999999999999.99' })).toEqual({
      column: 'unit_price',
      reason: 'quantity × unit_price is above 999999999999.99, the largest amount that can be stored',
    });
  });

  it('checks the subtotal even when other columns are broken', () => {
    const errors = problems({ sku: '', quantity: '2', unit_price: '999999999999.99' });
    expect(errors.map((error) => error.column)).toEqual(['sku', 'unit_price']);
  });

  it('lists every broken column, once each', () => {
    const errors = problems({
      order_ref: '',
      order_date: '2024-02-30',
      customer_email: 'nope',
      sku: '',
      product_name: '',
      category: '',
      quantity: '0',
      unit_price: '1,200.00',
      payment_method: '',
    });
    expect(errors.map((error) => error.column)).toEqual([
      'order_ref',
      'order_date',
      'customer_email',
      'sku',
      'product_name',
      'category',
      'quantity',
      'unit_price',
      'payment_method',
    ]);
  });
});

describe('createOrderLineValidator: no email in any reason', () => {
  const EMAIL = 'jane.doe@example.com';

  it('masks an email that a shifted column put anywhere', () => {
    const errors = problems({
      order_ref: `${EMAIL}${'x'.repeat(60)}`,
      order_date: EMAIL,
      customer_email: `not-an-address ${EMAIL}`,
      sku: `${'y'.repeat(50)} ${EMAIL}`,
      quantity: EMAIL,
      unit_price: EMAIL,
    });
    expect(errors.map((error) => error.column)).toEqual([
      'order_ref',
      'order_date',
      'customer_email',
      'sku',
      'quantity',
      'unit_price',
    ]);
    for (const { reason } of errors) {
      expect(reason).not.toContain('@');
      expect(reason).not.toContain('jane');
    }
  });

  it('never quotes an invalid customer_email, even without an @', () => {
    for (const value of ['jane.doe(at)example.com', 'jane doe@example.com', '@', 'a@b']) {
      const { reason } = onlyReason({ customer_email: value });
      expect(reason).toBe('customer_email is not a valid address');
    }
  });
});
