import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from 'slonik';
import { z } from 'zod';
import { createCopyBinaryWriter, uuidBytes } from '../../src/db/copy-binary.ts';
import { openCopyConnection, type CopyConnection } from '../../src/db/copy-connection.ts';
import {
  copyStagingRows,
  HOLD_STAGING_PART,
  STAGING_COPY,
  writeStagingRows,
  type StagingWriter,
} from '../../src/db/staging-copy.ts';
import { clearStagedRows } from '../../src/db/file-work-rows.ts';
import { claimStagingPart } from '../../src/db/staging-writers.ts';
import type { NumberedOrderLine } from '../../src/domain/csv-order-lines.ts';
import { StagingPartReclaimedError } from '../../src/errors.ts';
import { claimedWholeFile } from '../support/staging-writer.ts';
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
    const part = await claimedWholeFile(database.pool, fileId);
    const connection = await openCopyConnection(database.url);
    try {
      await copyStagingRows(connection, writer.finish(), part);
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

/** The COPY bytes of lines `from`..`to` of a file, one order line each. */
function copyOf(fileId: string, from: number, to: number): Uint8Array {
  const writer = createCopyBinaryWriter();
  const numbers = Array.from({ length: to - from + 1 }, (_, index) => from + index);
  writeStagingRows(writer, uuidBytes(fileId), numbers.map((lineNumber) => line(lineNumber)));
  return writer.finish();
}

const lineNumbersRow = z.object({ lineNumber: z.number() });
const stagedLineNumbers = (fileId: string) =>
  database.pool.anyFirst(sql.type(lineNumbersRow)`
    select line_number as "lineNumber" from staging_order_lines where ingestion_file_id = ${fileId} order by line_number`);

/** A part claimed as a parse attempt claims it, resuming after `resumeAfter`. */
const claim = (part: Omit<StagingWriter, 'writer'>, resumeAfter: number, endBefore: number | null): Promise<StagingWriter> =>
  claimStagingPart(database.pool, { ...part, resumeAfter, endBefore });

/** Holds the writer's part in the connection's open transaction, as copyStagingRows does before its COPY. */
const holdPart = (connection: CopyConnection, { fileId, firstLine, writer }: StagingWriter) =>
  connection.query(HOLD_STAGING_PART, [fileId, firstLine, writer]);

/**
 * Staging has no key to refuse a line written twice: each part of a file is written only by the
 * parse attempt that claimed it last, and a new claim clears what the part holds past its resume
 * point, after any batch an older attempt has in flight.
 */
describe('the writer of a part of staging', () => {
  it('writes nothing once a newer attempt has claimed the part', async () => {
    const fileId = randomUUID();
    const older = await claim({ fileId, firstLine: 0 }, 0, null);
    const connection = await openCopyConnection(database.url);
    try {
      await copyStagingRows(connection, copyOf(fileId, 2, 11), older);
      await claim({ fileId, firstLine: 0 }, 11, null);
      await expect(copyStagingRows(connection, copyOf(fileId, 12, 21), older)).rejects.toBeInstanceOf(StagingPartReclaimedError);
      // The connection is usable again: the refused batch's transaction was rolled back.
      await expect(connection.query('select 1', [])).resolves.toBe(1);
    } finally {
      await connection.close();
    }
    expect(await stagedLineNumbers(fileId)).toEqual(Array.from({ length: 10 }, (_, index) => 2 + index));
  });

  it('clears past the resume point of its own part only', async () => {
    const fileId = randomUUID();
    const first = await claim({ fileId, firstLine: 1 }, 1, 20);
    const second = await claim({ fileId, firstLine: 20 }, 19, null);
    const connection = await openCopyConnection(database.url);
    try {
      await copyStagingRows(connection, copyOf(fileId, 2, 19), first);
      await copyStagingRows(connection, copyOf(fileId, 20, 30), second);
    } finally {
      await connection.close();
    }
    // The first part's attempt died having heartbeated line 9; its next attempt resumes after it.
    await claim({ fileId, firstLine: 1 }, 9, 20);
    const expected = [...Array.from({ length: 8 }, (_, index) => 2 + index), ...Array.from({ length: 11 }, (_, index) => 20 + index)];
    expect(await stagedLineNumbers(fileId)).toEqual(expected);
  });

  it('claimed anew waits for the batch an older attempt has in flight, then clears its lines', async () => {
    const fileId = randomUUID();
    const older = await claim({ fileId, firstLine: 0 }, 0, null);
    const connection = await openCopyConnection(database.url);
    let reclaiming: Promise<StagingWriter> | undefined;
    try {
      await copyStagingRows(connection, copyOf(fileId, 2, 5), older);
      await connection.inTransaction(async () => {
        // The older attempt's batch in flight.
        await holdPart(connection, older);
        reclaiming = claim({ fileId, firstLine: 0 }, 5, null);
        // The newer claim cannot take the row while the batch is in flight.
        const state = await Promise.race([reclaiming.then(() => 'claimed'), new Promise((resolve) => setTimeout(resolve, 300, 'waiting'))]);
        expect(state).toBe('waiting');
        await connection.copy(STAGING_COPY, copyOf(fileId, 6, 9));
      });
      await reclaiming;
    } finally {
      await connection.close();
    }
    expect(await stagedLineNumbers(fileId)).toEqual([2, 3, 4, 5]);
  });

  it('cleared with its file, waits for the batch in flight and keeps none of it', async () => {
    const fileId = randomUUID();
    const writer = await claim({ fileId, firstLine: 0 }, 0, null);
    const connection = await openCopyConnection(database.url);
    let clearing: Promise<void> | undefined;
    try {
      await copyStagingRows(connection, copyOf(fileId, 2, 5), writer);
      await connection.inTransaction(async () => {
        await holdPart(connection, writer);
        await connection.copy(STAGING_COPY, copyOf(fileId, 6, 9));
        // The clearing starts while this batch's lines are written but not committed.
        clearing = database.pool.transaction((tx) => clearStagedRows(tx, fileId));
        await new Promise((resolve) => setTimeout(resolve, 300));
      });
      await clearing;
      await expect(copyStagingRows(connection, copyOf(fileId, 10, 12), writer)).rejects.toBeInstanceOf(StagingPartReclaimedError);
    } finally {
      await connection.close();
    }
    expect(await stagedLineNumbers(fileId)).toEqual([]);
  });
});
