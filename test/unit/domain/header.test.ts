import { describe, expect, it } from '@jest/globals';
import { resolveHeader } from '../../../src/domain/header.ts';
import { ORDER_LINE_COLUMNS, REQUIRED_COLUMNS } from '../../../src/domain/order-line-columns.ts';

describe('resolveHeader', () => {
  it('maps each contract column to its position', () => {
    const header = resolveHeader([...ORDER_LINE_COLUMNS]);
    expect(header.columns).toEqual({
      order_ref: 0,
      order_date: 1,
      customer_email: 2,
      customer_region: 3,
      sku: 4,
      product_name: 5,
      category: 6,
      quantity: 7,
      unit_price: 8,
      payment_method: 9,
    });
    expect(header).toMatchObject({ fieldCount: 10, missing: [], unknown: [], duplicated: [] });
  });

  it('ignores case, surrounding spaces and order', () => {
    const fields = [...ORDER_LINE_COLUMNS].reverse().map((name, index) => (index % 2 ? ` ${name.toUpperCase()} ` : name));
    const header = resolveHeader(fields);
    expect(header.missing).toEqual([]);
    expect(header.columns.payment_method).toBe(0);
    expect(header.columns.order_ref).toBe(9);
  });

  it('does not require customer_region', () => {
    const header = resolveHeader(REQUIRED_COLUMNS.slice());
    expect(header.missing).toEqual([]);
    expect(header.columns.customer_region).toBeUndefined();
  });

  it('lists every missing required column, in contract order', () => {
    const header = resolveHeader(['quantity', 'order_ref', 'notes']);
    expect(header.missing).toEqual([
      'order_date',
      'customer_email',
      'sku',
      'product_name',
      'category',
      'unit_price',
      'payment_method',
    ]);
  });

  it('does not match names beyond case and spaces', () => {
    expect(resolveHeader(['Order Ref', 'order-date']).missing).toContain('order_ref');
    expect(resolveHeader(['Order Ref', 'order-date']).unknown).toEqual(['Order Ref', 'order-date']);
  });

  it('reports columns outside the contract, and unnamed ones by position', () => {
    const header = resolveHeader([...ORDER_LINE_COLUMNS, ' Notes ', '', 'notes']);
    expect(header.unknown).toEqual(['Notes', '(unnamed column 12)', 'notes']);
    expect(header.fieldCount).toBe(13);
    expect(header.duplicated).toEqual([]);
  });

  it('reports a contract column named twice, whatever its case', () => {
    const header = resolveHeader([...ORDER_LINE_COLUMNS, 'SKU']);
    expect(header.duplicated).toEqual(['sku']);
    expect(header.columns.sku).toBe(4);
  });
});
