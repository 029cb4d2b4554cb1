import { describe, expect, it } from '@jest/globals';
import { createEmailHasher } from '../../../src/domain/email.ts';
import { resolveHeader } from '../../../src/domain/header.ts';
import { ORDER_LINE_COLUMNS, REQUIRED_COLUMNS, type OrderLineColumn } from '../../../src/domain/order-line-columns.ts';
import { createOrderLineValidator } from '../../../src/domain/order-line.ts';
import type { OrderLineContext } from '../../../src/domain/order-line-readers.ts';
import { createOrderLineSchema, createSchemaOrderLineValidator } from '../../../src/domain/order-line-schema.ts';

const context: OrderLineContext = {
  sourceTimeZone: 'Europe/London',
  hashEmail: createEmailHasher('schema-test-key-0123456789abcdef'),
};

const VALID: Record<OrderLineColumn, string> = {
  order_ref: 'ORD-1',
  order_date: '2024-03-31T01:30',
  customer_email: ' Jane@Example.com',
  customer_region: 'Lagos',
  sku: 'SKU-1',
  product_name: 'Kettle',
  category: 'Kitchen',
  quantity: '3',
  unit_price: '45.5',
  payment_method: 'Bank Transfer',
};

const VARIANTS: Array<Partial<Record<OrderLineColumn, string>>> = [
  {},
  { customer_region: '' },
  { order_date: '2024-10-27 01:30:00.25+01:00' },
  { order_ref: '' },
  { order_ref: 'R'.repeat(65) },
  { order_date: 'yesterday' },
  { order_date: '2024-02-30' },
  { customer_email: '' },
  { customer_email: 'not an email' },
  { sku: '' },
  { product_name: '  ' },
  { category: '' },
  { quantity: '0' },
  { quantity: '1.5' },
  { unit_price: '-1' },
  { unit_price: '1,200.00' },
  { payment_method: '' },
  { payment_method: 'crypto' },
  { quantity: '2', unit_price: '999999999999.99' },
  { sku: '', quantity: '2', unit_price: '999999999999.99' },
  { quantity: 'x', unit_price: '999999999999.99' },
  {
    order_ref: 'jane@example.com',
    order_date: 'jane@example.com',
    customer_email: 'jane@example.com@',
    quantity: 'jane@example.com',
    unit_price: 'jane@example.com',
    payment_method: '',
  },
];

function record(overrides: Partial<Record<OrderLineColumn, string>>): string[] {
  const values = { ...VALID, ...overrides };
  return ORDER_LINE_COLUMNS.map((column) => values[column]);
}

describe('the fast validator and the zod row schema', () => {
  const fast = createOrderLineValidator(context);
  const reference = createSchemaOrderLineValidator(context);
  const { columns } = resolveHeader([...ORDER_LINE_COLUMNS]);

  it.each(VARIANTS.map((variant) => [JSON.stringify(variant), variant] as const))(
    'agree on %s',
    (_label, variant) => {
      const expected = reference(record(variant), columns);
      expect(fast(record(variant), columns)).toEqual(expected);
    },
  );

  it('agree when customer_region is not in the header', () => {
    const header = resolveHeader([...REQUIRED_COLUMNS]);
    const values = REQUIRED_COLUMNS.map((column) => VALID[column]);
    const result = fast(values, header.columns);
    expect(result).toEqual(reference(values, header.columns));
    expect(result.ok && result.line.customerRegion).toBeNull();
  });

  it('agree after repeated values, which the readers remember', () => {
    for (let pass = 0; pass < 3; pass += 1) {
      for (const variant of VARIANTS) expect(fast(record(variant), columns)).toEqual(reference(record(variant), columns));
    }
  });
});

describe('createOrderLineSchema', () => {
  it('parses a raw row into typed values', () => {
    const schema = createOrderLineSchema(context);
    const parsed = schema.parse({ ...VALID });
    expect(parsed).toEqual({
      order_ref: 'ORD-1',
      order_date: new Date('2024-03-31T01:30:00Z'),
      customer_email: context.hashEmail('jane@example.com'),
      customer_region: 'Lagos',
      sku: 'SKU-1',
      product_name: 'Kettle',
      category: 'Kitchen',
      quantity: 3,
      unit_price: '45.50',
      payment_method: 'bank_transfer',
    });
  });

  it('reports a zod issue per broken column with the readable reason', () => {
    const result = createOrderLineSchema(context).safeParse({ ...VALID, quantity: '0', sku: '' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
      ['sku', 'sku is empty'],
      ['quantity', 'quantity "0" is not a whole number ≥ 1'],
    ]);
  });
});
