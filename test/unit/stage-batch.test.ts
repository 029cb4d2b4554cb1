import { describe, expect, it } from '@jest/globals';
import { Readable } from 'node:stream';
import { readOrderLines, type OrderLineBatch } from '../../src/domain/csv-order-lines.ts';
import { createEmailHasher } from '../../src/domain/email.ts';
import { createCopyBinaryWriter, uuidBytes } from '../../src/db/copy-binary.ts';
import { writeStagingRows } from '../../src/db/staging-copy.ts';
import type { NumberedOrderLine } from '../../src/domain/csv-order-lines.ts';
import { createStageBatcher, type StageBatch } from '../../src/parse-threads/stage-batch.ts';
import { readCopyBinaryRows } from '../support/copy-binary-rows.ts';

/**
 * The stage batcher gathers the reader's small batches into COPY batches: their rows together are
 * exactly those of every line past the resume point, written in one piece, each batch but the last holds at
 * least the rows asked for, and each batch's bytes are a buffer of their own, movable to another
 * thread without touching the others.
 */

const FILE_ID = '00000000-0000-0000-0000-0000000000bb';
const HEADER = 'order_ref,order_date,customer_email,customer_region,sku,product_name,category,quantity,unit_price,payment_method\n';

/** Rows with multi-byte names, a quoted line break every fifth row and a bad quantity every thirteenth. */
function exportOf(rows: number, nameLength = 12): string {
  let text = HEADER;
  for (let row = 1; row <= rows; row += 1) {
    const quantity = row % 13 === 0 ? 'many' : String(1 + (row % 3));
    const base = `Café ☕ ${row} `.padEnd(nameLength, 'é');
    const name = row % 5 === 0 ? `"${base}\nsecond line"` : base;
    text += `ORD-${Math.ceil(row / 2)},2026-10-0${1 + (row % 9)}T10:00:00Z,c${row % 17}@example.com,Lagos,SKU-${row % 7},${name},Drinks,${quantity},3.10,card\n`;
  }
  return text;
}

async function readerBatches(text: string, batchSize: number): Promise<OrderLineBatch[]> {
  const options = { filename: 'orders.csv', sourceTimeZone: 'UTC', hashEmail: createEmailHasher('stage-batch-test-key-0123456789ab'), batchSize };
  const batches: OrderLineBatch[] = [];
  for await (const batch of readOrderLines(Readable.from([Buffer.from(text)]), options)) batches.push(batch);
  return batches;
}

function gather(batches: OrderLineBatch[], resumeAfter: number, rowsPerBatch: number): StageBatch[] {
  const stage = createStageBatcher(FILE_ID, resumeAfter, rowsPerBatch);
  const staged: StageBatch[] = [];
  for (const batch of batches) {
    const full = stage.add(batch);
    if (full !== null) staged.push(full);
  }
  staged.push(stage.finish());
  return staged;
}

/** Every row of the batches, each field as hex (null for null). */
const rowsOf = (batches: StageBatch[]) =>
  batches
    .filter((batch) => batch.copyBytes.byteLength > 0)
    .flatMap((batch) => readCopyBinaryRows(batch.copyBytes))
    .map((row) => row.map((field) => field?.toString('hex') ?? null));

/** The rows of the lines written in one piece, as rowsOf gives them. */
function rowsInOnePiece(lines: NumberedOrderLine[]) {
  const writer = createCopyBinaryWriter();
  writeStagingRows(writer, uuidBytes(FILE_ID), lines);
  return readCopyBinaryRows(writer.finish()).map((row) => row.map((field) => field?.toString('hex') ?? null));
}

const lineNumbersOf = (batches: StageBatch[]) => rowsOf(batches).map((row) => Buffer.from(row[1]!, 'hex').readInt32BE(0));

describe('createStageBatcher', () => {
  it('renders every line once, in order, in batches of at least the rows asked for', async () => {
    const read = await readerBatches(exportOf(500), 7);
    const staged = gather(read, 0, 60);
    const allLines = read.flatMap((batch) => batch.lines);

    expect(rowsOf(staged)).toEqual(rowsInOnePiece(allLines));
    expect(lineNumbersOf(staged)).toEqual(allLines.map((line) => line.lineNumber));
    for (const batch of staged.slice(0, -1)) expect(batch.rowsRead).toBeGreaterThanOrEqual(60);
    expect(staged.reduce((sum, batch) => sum + batch.rowsRead, 0)).toBe(500);
    expect(staged.flatMap((batch) => batch.rejects)).toEqual(read.flatMap((batch) => batch.rejects));
    expect(staged.flatMap((batch) => batch.rejects).length).toBeGreaterThan(0);
    expect(staged.at(-1)?.lastLineNumber).toBe(read.at(-1)?.lastLineNumber);
    expect(staged.some((batch) => batch.alreadyWritten)).toBe(false);
  });

  it('leaves out what an earlier attempt wrote, batch by batch and line by line', async () => {
    const read = await readerBatches(exportOf(300), 10);
    const resumeAfter = read[8]!.lines[4]!.lineNumber;
    const staged = gather(read, resumeAfter, 25);
    const freshLines = read.flatMap((batch) => batch.lines).filter((line) => line.lineNumber > resumeAfter);

    expect(rowsOf(staged)).toEqual(rowsInOnePiece(freshLines));
    expect(lineNumbersOf(staged)).toEqual(freshLines.map((line) => line.lineNumber));
    expect(freshLines[0]!.lineNumber).toBeGreaterThan(resumeAfter);
    expect(staged.flatMap((batch) => batch.rejects)).toEqual(
      read.flatMap((batch) => batch.rejects).filter((reject) => reject.lineNumber > resumeAfter),
    );
    const written = staged.filter((batch) => batch.alreadyWritten);
    expect(written.length).toBe(2);
    for (const batch of written) {
      expect(batch.lastLineNumber).toBeLessThanOrEqual(resumeAfter);
      expect(batch.copyBytes.byteLength).toBe(0);
      expect(batch.rejects).toEqual([]);
    }
  });

  it('grows its buffer past the first size for long text and keeps every byte', async () => {
    const read = await readerBatches(exportOf(400, 600), 50);
    const staged = gather(read, 0, 400);

    expect(staged[0]!.copyBytes.byteLength).toBeGreaterThan(64 * 1024);
    expect(rowsOf(staged)).toEqual(rowsInOnePiece(read.flatMap((batch) => batch.lines)));
  });

  it('gives each batch a buffer of its own, which moves to another thread alone', async () => {
    const staged = gather(await readerBatches(exportOf(200), 20), 0, 50);
    const [first, second] = staged;
    const secondRows = rowsOf([second!]);
    const firstRows = rowsOf([first!]);

    const moved = structuredClone(first!.copyBytes, { transfer: [first!.copyBytes.buffer as ArrayBuffer] });

    expect(readCopyBinaryRows(moved).length).toBe(firstRows.length);
    expect(first!.copyBytes.byteLength).toBe(0);
    expect(rowsOf([second!])).toEqual(secondRows);
  });
});
