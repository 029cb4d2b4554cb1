import { describe, expect, it } from '@jest/globals';
import { createEmailHasher } from '../../src/domain/email.ts';
import { containsEmail } from '../../src/domain/email-in-text.ts';
import { resolveHeader } from '../../src/domain/header.ts';
import { createOrderLineValidator } from '../../src/domain/order-line.ts';

describe('containsEmail', () => {
  it.each(['amina@example.com', ' Amina@Example.COM ', 'contact: amina@example.com today', 'amina＠example.com', '<kofi@mail.co.ke>'])(
    'finds the address in %j',
    (text) => expect(containsEmail(text)).toBe(true),
  );

  it.each(['Coffee @ home', 'Tea@2.5kg', 'SKU@1.0', '@handle', 'Nairobi', '', 'a@b'])('finds none in %j', (text) =>
    expect(containsEmail(text)).toBe(false),
  );
});

describe('a row with an email or a NUL character in a text column', () => {
  const header = resolveHeader(
    'order_ref,order_date,customer_email,customer_region,sku,product_name,category,quantity,unit_price,payment_method'.split(','),
  );
  const validate = createOrderLineValidator({ sourceTimeZone: 'UTC', hashEmail: createEmailHasher('email-in-text-key-0123456789') });
  const base = ['ORD-1', '2026-09-01', 'amina@example.com', 'Nairobi', 'SKU-1', 'Tea', 'Groceries', '1', '1.00', 'mpesa'];

  it.each([
    [0, 'order_ref'],
    [3, 'customer_region'],
    [4, 'sku'],
    [5, 'product_name'],
    [6, 'category'],
  ] as const)('is rejected when field %i (%s) holds one, without quoting it', (index, column) => {
    const record = [...base];
    record[index] = 'amina@example.com';
    const result = validate(record, header.columns);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors).toEqual([{ column, reason: `${column} holds an email address (are the columns shifted?); emails belong only in customer_email` }]);
    }
  });

  it.each([
    [0, 'order_ref'],
    [3, 'customer_region'],
    [5, 'product_name'],
  ] as const)('is rejected when field %i (%s) holds a NUL character, which PostgreSQL cannot store', (index, column) => {
    const record = [...base];
    record[index] = 'Tea\u0000bag';
    const result = validate(record, header.columns);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors).toEqual([{ column, reason: `${column} contains a NUL character, which cannot be stored` }]);
  });

  it('is accepted when its text only has an @ that is not an address', () => {
    const record = [...base];
    record[5] = 'Coffee @ home';
    expect(validate(record, header.columns).ok).toBe(true);
  });
});
