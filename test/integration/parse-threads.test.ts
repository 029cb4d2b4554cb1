import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { openCopyConnection } from '../../src/db/copy-connection.ts';
import { sql } from '../../src/db/sql.ts';
import { copyStagingRows } from '../../src/db/staging-copy.ts';
import { readOrderLines } from '../../src/domain/csv-order-lines.ts';
import { createEmailHasher } from '../../src/domain/email.ts';
import { loadStorageConfig } from '../../src/config.ts';
import { InvalidFileError, MissingObjectError } from '../../src/errors.ts';
import type { ParseSource, StagedReport } from '../../src/parse-threads/protocol.ts';
import { createStageBatcher, type StagedBatch } from '../../src/parse-threads/stage-batch.ts';
import { createParseThreadPool } from '../../src/parse-threads/thread-pool.ts';
import { createObjectStore } from '../../src/storage/object-store.ts';
import { claimedWholeFile } from '../support/staging-writer.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

/**
 * The parse threads read a stored object and stage what the reader gives on the main thread, batch
 * for batch and row for row; a bad file fails with the same InvalidFileError; a missing object, a
 * refused link or a database that cannot be written fails the parse with its own error; a cancel
 * ends it quietly; and a parse stopped early leaves its thread free for the next.
 */

const KEY = 'parse-threads-test-key-0123456789';
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

/** The text in small pieces, so a batch of the main-thread reading spans many of them. */
const piecesOf = (text: string) => Readable.from(Buffer.from(text).toString('binary').match(/[\s\S]{1,997}/g)!.map((piece) => Buffer.from(piece, 'binary')));

const store = createObjectStore(loadStorageConfig());

/** The text as an object of its own in the bucket, for a thread to read. */
async function stored(text: string): Promise<ParseSource> {
  const objectKey = `test/parse-threads/${randomUUID()}.csv`;
  await store.uploadText(objectKey, text, 'text/csv');
  return { signedUrl: await store.signedReadUrl(objectKey), objectKey };
}

/** Rows per COPY; the threads read in smaller batches than this and gather them. */
const BATCH_SIZE = 400;
const quiet = { info: () => {}, warn: () => {} };

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase('parse_threads');
  await store.ensureBucket();
});

afterAll(async () => {
  await database?.drop();
});

/** A job for a file of its own, so each parse's staged rows are told apart, its part claimed as a parse activity claims it. */
async function job(source: ParseSource, resumeAfter = 0, databaseUrl = database.url) {
  const fileId = randomUUID();
  return {
    fileId,
    filename: 'orders.csv',
    source,
    sourceTimeZone: 'UTC',
    emailHashKey: KEY,
    databaseUrl,
    batchSize: BATCH_SIZE,
    resumeAfter,
    stagingWriter: await claimedWholeFile(database.pool, fileId),
  };
}

/** A file's staged rows, every column but the file id, in line order. */
async function stagedRows(fileId: string): Promise<readonly unknown[]> {
  return database.pool.any(sql.type(z.record(z.string(), z.unknown()))`
    select line_number, order_ref, order_date::text, email_hash, customer_region, sku, product_name,
           category, quantity, unit_price::text, payment_method::text
    from staging_order_lines where ingestion_file_id = ${fileId} order by line_number`);
}

/** The same reading on the main thread, its batches COPYed here: their reports and the rows they staged. */
async function mainThreadParse(text: string, resumeAfter = 0): Promise<{ batches: StagedBatch[]; rows: readonly unknown[] }> {
  const fileId = randomUUID();
  const batches: StagedBatch[] = [];
  const options = { filename: 'orders.csv', sourceTimeZone: 'UTC', hashEmail: createEmailHasher(KEY), batchSize: BATCH_SIZE };
  const stage = createStageBatcher(fileId, resumeAfter, BATCH_SIZE);
  const writer = await claimedWholeFile(database.pool, fileId);
  const connection = await openCopyConnection(database.url);
  try {
    const keep = async ({ copyBytes, ...staged }: ReturnType<typeof stage.finish>) => {
      if (!staged.alreadyWritten) await copyStagingRows(connection, copyBytes, writer);
      batches.push(staged);
    };
    for await (const batch of readOrderLines(piecesOf(text), options)) {
      const full = stage.add(batch);
      if (full !== null) await keep(full);
    }
    await keep(stage.finish());
  } finally {
    await connection.close();
  }
  return { batches, rows: await stagedRows(fileId) };
}

async function collect(reports: AsyncIterable<StagedReport>): Promise<StagedReport[]> {
  const all: StagedReport[] = [];
  for await (const report of reports) all.push(report);
  return all;
}

/** A parse on a thread: the batches it reported, the rows it staged, and the bytes it had read at the end. */
async function threadParse(pool: ReturnType<typeof createParseThreadPool>, text: string, resumeAfter = 0) {
  const parseJob = await job(await stored(text), resumeAfter);
  const reports = await collect(pool.parse(parseJob, quiet));
  const batches = reports.map(({ bytesRead: _bytesRead, ...batch }) => batch);
  return { batches, rows: await stagedRows(parseJob.fileId), bytesRead: reports.at(-1)?.bytesRead };
}

/**
 * Runs `use` on a pool of one thread, then checks that the thread, after whatever `use` did to
 * it, parses the next file as the main thread does.
 */
async function onOneThread(use: (single: ReturnType<typeof createParseThreadPool>) => Promise<void>): Promise<void> {
  const single = createParseThreadPool(1);
  try {
    await use(single);
    const text = exportOf(500);
    const { bytesRead: _bytesRead, ...actual } = await threadParse(single, text);
    expect(actual).toEqual(await mainThreadParse(text));
  } finally {
    await single.close();
  }
}

describe('parse threads', () => {
  const pool = createParseThreadPool(2);
  afterAll(() => pool.close());

  it('stage the rows and report the batches the main thread does, resumed or not', async () => {
    const text = exportOf(2_000, 1_234);
    for (const resumeAfter of [0, 700]) {
      const expected = await mainThreadParse(text, resumeAfter);
      const { bytesRead, ...actual } = await threadParse(pool, text, resumeAfter);
      expect(actual).toEqual(expected);
      // Resumed or not, the whole object is read, and the last report says so.
      expect(bytesRead).toBe(Buffer.byteLength(text));
      expect(actual.batches.some((batch) => batch.rejects.length > 0)).toBe(true);
      // The first 400 rows end before line 700 (one in seven spans two lines); the next 400 cross it.
      expect(actual.batches.filter((batch) => batch.alreadyWritten).length).toBe(resumeAfter === 0 ? 0 : 1);
      // Every row but the rejected one, less those up to the resume point.
      const lineNumbers = actual.rows.map((row) => (row as { line_number: number }).line_number);
      if (resumeAfter === 0) expect(lineNumbers.length).toBe(1_999);
      else expect(lineNumbers.length).toBeLessThan(1_999);
      // The first row staged starts on the line after the resume point, or on the next when that
      // line is the second of a quoted name.
      expect(Math.min(...lineNumbers) - resumeAfter).toBeLessThanOrEqual(2);
      expect(Math.min(...lineNumbers)).toBeGreaterThan(resumeAfter);
    }
  });

  it('run more parses than threads, each with its own result', async () => {
    const texts = [exportOf(900), exportOf(1_300), exportOf(400), exportOf(1_100)];
    const results = await Promise.all(texts.map((text) => threadParse(pool, text)));
    const expected = await Promise.all(texts.map((text) => mainThreadParse(text)));
    expect(results.map(({ batches, rows }) => ({ batches, rows }))).toEqual(expected);
  });

  it('fail a broken file with the InvalidFileError the reader throws', async () => {
    const broken = `${exportOf(600)}ORD-X,2026-10-01,"unclosed,x\n`;
    const failure = await collect(pool.parse(await job(await stored(broken)), quiet)).catch((error: unknown) => error);
    const expected = await mainThreadParse(broken).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(InvalidFileError);
    expect(failure).toEqual(expected);
    expect((failure as InvalidFileError).line).toBe((expected as InvalidFileError).line);
  });

  it('fail with a MissingObjectError when the object is not in the bucket', async () => {
    const objectKey = `test/parse-threads/${randomUUID()}-gone.csv`;
    const source = { signedUrl: await store.signedReadUrl(objectKey), objectKey };
    const failure = await collect(pool.parse(await job(source), quiet)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MissingObjectError);
    expect((failure as MissingObjectError).objectKey).toBe(source.objectKey);
  });

  it('fail with an error worth retrying when the store refuses the link', async () => {
    const source = await stored(exportOf(50));
    const forged = new URL(source.signedUrl);
    forged.searchParams.set('X-Amz-Signature', '0'.repeat(64));
    const failure = await collect(pool.parse(await job({ ...source, signedUrl: forged.toString() }), quiet)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(MissingObjectError);
    expect((failure as Error).message).toBe(`the object store answered 403 to the read of ${source.objectKey}`);
  });

  it('fail with the database’s own error when staging cannot be written, and stay usable', () =>
    onOneThread(async (single) => {
      const missing = new URL(database.url);
      missing.pathname = `/${database.name}_missing`;
      const parse = single.parse(await job(await stored(exportOf(900)), 0, missing.toString()), quiet);
      await expect(collect(parse)).rejects.toThrow(`database "${database.name}_missing" does not exist`);
    }));

  it('end quietly once the activity is cancelled, after the COPY in flight', () =>
    onOneThread(async (single) => {
      const cancelled = await job(await stored(exportOf(6_000)));
      const cancel = new AbortController();
      const reports: StagedReport[] = [];
      for await (const report of single.parse(cancelled, quiet, cancel.signal)) {
        reports.push(report);
        cancel.abort();
      }
      const staged = await stagedRows(cancelled.fileId);
      expect(reports.length).toBeGreaterThanOrEqual(1);
      expect(reports.length).toBeLessThan(6_000 / BATCH_SIZE);
      // What was reported is in staging; at most the batch in flight at the cancel came after it.
      const reported = reports.reduce((rows, report) => rows + report.rowsRead, 0);
      expect(staged.length).toBeGreaterThanOrEqual(reported);
      expect(staged.length).toBeLessThanOrEqual(reported + BATCH_SIZE);
    }));

  it('free the thread of a parse stopped early, keeping what it staged', () =>
    onOneThread(async (single) => {
      const stopped = await job(await stored(exportOf(3_000)));
      for await (const report of single.parse(stopped, quiet)) {
        expect(report.rowsRead).toBe(BATCH_SIZE);
        break;
      }
      // The first batch is in staging before the activity hears of it.
      expect((await stagedRows(stopped.fileId)).length).toBeGreaterThanOrEqual(BATCH_SIZE);
    }));
});
