import { afterAll, describe, expect, it } from '@jest/globals';
import { Readable } from 'node:stream';
import { readOrderLines } from '../../src/domain/csv-order-lines.ts';
import { createEmailHasher } from '../../src/domain/email.ts';
import { InvalidFileError } from '../../src/errors.ts';
import { createStageBatcher, type StageBatch } from '../../src/parse-threads/stage-batch.ts';
import { createParseThreadPool } from '../../src/parse-threads/thread-pool.ts';

/**
 * The parse threads give what the reader gives on the main thread, batch for batch; a bad file
 * fails with the same InvalidFileError; a failing source fails the parse with its own error; and
 * a parse stopped early leaves its thread free for the next.
 */

const KEY = 'parse-threads-test-key-0123456789';
const FILE_ID = '00000000-0000-0000-0000-0000000000aa';
const HEADER = 'order_ref,order_date,customer_email,customer_region,sku,product_name,category,quantity,unit_price,payment_method\n';

function exportOf(rows: number, badAt?: number): string {
  let text = HEADER;
  for (let row = 1; row <= rows; row += 1) {
    const quantity = row === badAt ? 'lots' : String(1 + (row % 4));
    const name = row % 7 === 0 ? '"Mug ""Big"",\nblue"' : `Tea ${row}`;
    text += `ORD-${Math.ceil(row / 3)},2026-10-${String(1 + (row % 28)).padStart(2, '0')}T07:21:43Z,c${row % 50}@example.com,Nairobi,SKU-${row % 11},${name},Groceries,${quantity},12.50,M-Pesa\n`;
  }
  return text;
}

/** The source in small pieces, so a batch spans many of them. */
const sourceOf = (text: string) => Readable.from(Buffer.from(text).toString('binary').match(/[\s\S]{1,997}/g)!.map((piece) => Buffer.from(piece, 'binary')));

/** Rows per COPY; the threads read in smaller batches than this and gather them. */
const BATCH_SIZE = 400;
const job = (resumeAfter = 0) => ({ fileId: FILE_ID, filename: 'orders.csv', sourceTimeZone: 'UTC', emailHashKey: KEY, batchSize: BATCH_SIZE, resumeAfter });
const quiet = { warn: () => {} };

/** A batch with its bytes as hex: comparable whatever kind of array carried them. */
type ComparableBatch = Omit<StageBatch, 'copyBytes'> & { copyHex: string };
const comparable = ({ copyBytes, ...rest }: StageBatch): ComparableBatch => ({ ...rest, copyHex: Buffer.from(copyBytes).toString('hex') });

/** The same reading on the main thread, one reader batch per COPY batch. */
async function mainThreadBatches(text: string, resumeAfter = 0): Promise<ComparableBatch[]> {
  const batches: ComparableBatch[] = [];
  const options = { filename: 'orders.csv', sourceTimeZone: 'UTC', hashEmail: createEmailHasher(KEY), batchSize: BATCH_SIZE };
  const stage = createStageBatcher(FILE_ID, resumeAfter, BATCH_SIZE);
  for await (const batch of readOrderLines(sourceOf(text), options)) {
    const full = stage.add(batch);
    if (full !== null) batches.push(comparable(full));
  }
  batches.push(comparable(stage.finish()));
  return batches;
}

async function collect(batches: AsyncIterable<StageBatch>): Promise<ComparableBatch[]> {
  const all: ComparableBatch[] = [];
  for await (const batch of batches) all.push(comparable(batch));
  return all;
}

describe('parse threads', () => {
  const pool = createParseThreadPool(2);
  afterAll(() => pool.close());

  it('give the batches the main thread gives, resumed or not', async () => {
    const text = exportOf(2_000, 1_234);
    for (const resumeAfter of [0, 700]) {
      const expected = await mainThreadBatches(text, resumeAfter);
      const actual = await collect(pool.parse(job(resumeAfter), sourceOf(text), quiet));
      expect(actual).toEqual(expected);
      expect(actual.some((batch) => batch.rejects.length > 0)).toBe(true);
      // The first 400 rows end before line 700 (one in seven spans two lines); the next 400 cross it.
      expect(actual.filter((batch) => batch.alreadyWritten).length).toBe(resumeAfter === 0 ? 0 : 1);
    }
  });

  it('run more parses than threads, each with its own result', async () => {
    const texts = [exportOf(900), exportOf(1_300), exportOf(400), exportOf(1_100)];
    const results = await Promise.all(texts.map((text) => collect(pool.parse(job(), sourceOf(text), quiet))));
    const expected = await Promise.all(texts.map((text) => mainThreadBatches(text)));
    expect(results).toEqual(expected);
  });

  it('fail a broken file with the InvalidFileError the reader throws', async () => {
    const broken = `${exportOf(600)}ORD-X,2026-10-01,"unclosed,x\n`;
    const failure = await collect(pool.parse(job(), sourceOf(broken), quiet)).catch((error: unknown) => error);
    const expected = await mainThreadBatches(broken).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(InvalidFileError);
    expect(failure).toEqual(expected);
    expect((failure as InvalidFileError).line).toBe((expected as InvalidFileError).line);
  });

  it('fail with the source’s own error when the source fails', async () => {
    const failing = new Readable({ read() {} });
    failing.push(exportOf(300).slice(0, 5_000));
    setTimeout(() => failing.destroy(new Error('the download broke off')), 50);
    await expect(collect(pool.parse(job(), failing, quiet))).rejects.toThrow('the download broke off');
  });

  it('free the thread of a parse stopped early', async () => {
    const single = createParseThreadPool(1);
    try {
      for await (const batch of single.parse(job(), sourceOf(exportOf(3_000)), quiet)) {
        expect(batch.rowsRead).toBe(BATCH_SIZE);
        break;
      }
      const text = exportOf(500);
      expect(await collect(single.parse(job(), sourceOf(text), quiet))).toEqual(await mainThreadBatches(text));
    } finally {
      await single.close();
    }
  });
});
