import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from 'slonik';
import { z } from 'zod';
import { createCopyBinaryWriter, uuidBytes } from '../../src/db/copy-binary.ts';
import { openCopyConnection } from '../../src/db/copy-connection.ts';
import { copyStagingRows, writeStagingRows } from '../../src/db/staging-copy.ts';
import type { NumberedOrderLine } from '../../src/domain/csv-order-lines.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

/**
 * Staging's binary COPY against a real PostgreSQL: every value of awkward lines reads back from the
 * table exactly as the parse produced it, null region and empty region kept apart.
 */
const stagedRow = z.object({
  fileId: z.string(),
  lineNumber: z.number(),
  orderRef: z.string(),
  orderDate: z.string(),
  emailHash: z.string(),
  customerRegion: z.string().nullable(),
  sku: z.string(),
  productName: z.string(),
  category: z.string(),
  quantity: z.number(),
  unitPrice: z.string(),
  paymentMethod: z.string(),
});

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase('staging_copy');
});

afterAll(async () => {
  await database?.drop();
});

const line = (lineNumber: number, overrides: Partial<NumberedOrderLine> = {}): NumberedOrderLine => ({
  lineNumber,
  orderRef: 'ORD-1',
  orderDate: new Date('2026-09-05T13:31:13.038Z'),
  emailHash: 'ab'.repeat(32),
  customerRegion: 'Mombasa',
  sku: 'SKU-1',
  productName: 'Kettle',
  category: 'Home',
  quantity: 2,
  unitPrice: '1200.50',
  paymentMethod: 'card',
  ...overrides,
});

describe('staging COPY in binary form', () => {
  it('stores every value of awkward lines exactly as parsed', async () => {
    const fileId = randomUUID();
    const lines = [
      line(2, {
        orderRef: 'tab\there',
        customerRegion: null,
        sku: 'back\\slash\\N',
        productName: 'Tea, 500g "Premium"\r\nsecond line',
        category: 'Ünïcödé ✓ 🍵',
      }),
      line(3, { customerRegion: '', orderDate: new Date('1999-12-31T23:59:59.999Z'), unitPrice: '0.05', quantity: 2_147_483_647 }),
      line(5, { orderDate: new Date('2100-02-28T00:00:00.001Z'), unitPrice: '999999999999.99', paymentMethod: 'bank_transfer' }),
      line(9, { unitPrice: '0.00', paymentMethod: 'other' }),
      line(10, { unitPrice: '10000.00', paymentMethod: 'mpesa' }),
    ];
    const writer = createCopyBinaryWriter();
    writeStagingRows(writer, uuidBytes(fileId), lines);
    const connection = await openCopyConnection(database.url);
    try {
      await copyStagingRows(connection, writer.finish());
    } finally {
      await connection.close();
    }

    const stored = await database.pool.any(sql.type(stagedRow)`
      select ingestion_file_id::text as "fileId", line_number as "lineNumber", order_ref as "orderRef",
             to_char(order_date at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "orderDate",
             email_hash as "emailHash", customer_region as "customerRegion", sku, product_name as "productName",
             category, quantity, unit_price::text as "unitPrice", payment_method::text as "paymentMethod"
      from staging_order_lines where ingestion_file_id = ${fileId} order by line_number`);
    expect(stored).toEqual(
      lines.map(({ orderDate, ...rest }) => ({ fileId, ...rest, orderDate: orderDate.toISOString() })),
    );
  });
});
