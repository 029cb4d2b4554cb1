import { PassThrough, Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from '@jest/globals';
import { readOrderLines, type OrderLineBatch } from '../../src/domain/csv-order-lines.ts';
import { createEmailHasher } from '../../src/domain/email.ts';
import { createStoredObjectSplitPointFinder, startsWithGzipMagic } from '../../src/domain/gzip-magic.ts';
import { createSplitPointFinder } from '../../src/domain/split-points.ts';
import { InvalidFileError } from '../../src/errors.ts';
import { openObjectContent } from '../../src/storage/object-content.ts';

const HEADER = 'order_ref,order_date,customer_email,customer_region,sku,product_name,category,quantity,unit_price,payment_method';
const rows = Array.from({ length: 3_000 }, (_, index) =>
  index % 500 === 7
    ? `R-${index},2026-03-01,bad-email,Nairobi,SKU-${index % 9},Tea,Kitchen,2,10.00,mpesa`
    : `R-${index},2026-03-01,c${index % 40}@example.com,Nairobi,SKU-${index % 9},"Tea, ""green""",Kitchen,2,10.00,mpesa`,
);
// Blank lines and a quoted line break move the line numbers away from the row numbers.
const text = Buffer.from(`\n${HEADER}\n${rows.slice(0, 10).join('\n')}\n\n"Q-1",2026-03-01,q@example.com,"Dar\nes Salaam",SKU-1,Mug,Home,1,3.00,card\n${rows.slice(10).join('\r\n')}\n`);
const compressed = gzipSync(text);

/** A stream that hands out `size` bytes at a time, each on a later tick, as a download does. */
function trickle(bytes: Buffer, size: number): Readable {
  const stream = new PassThrough();
  let at = 0;
  const next = () => {
    if (at >= bytes.length) return void stream.end();
    stream.write(bytes.subarray(at, at + size));
    at += size;
    setImmediate(next);
  };
  setImmediate(next);
  return stream;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const hashEmail = createEmailHasher('gzip-content-test-key-0123456789');
async function parse(stream: Readable, filename: string): Promise<OrderLineBatch[]> {
  const batches: OrderLineBatch[] = [];
  for await (const batch of readOrderLines(stream, { filename, sourceTimeZone: 'UTC', hashEmail, batchSize: 700 })) batches.push(batch);
  return batches;
}

describe('gzip detection', () => {
  it('goes by the first two bytes, not the name', () => {
    expect(startsWithGzipMagic(compressed)).toBe(true);
    expect(startsWithGzipMagic(text)).toBe(false);
    expect(startsWithGzipMagic(Buffer.from([0x1f]))).toBe(false);
    expect(startsWithGzipMagic(Buffer.from([0x1f, 0x8c]))).toBe(false);
  });

  it('gives a gzip object no split points, and a plain one the same as the CSV finder', () => {
    const feed = (finder: ReturnType<typeof createSplitPointFinder>, bytes: Buffer, size: number) => {
      for (let at = 0; at < bytes.length; at += size) finder.push(bytes.subarray(at, at + size));
      return finder.finish();
    };
    const expected = feed(createSplitPointFinder(4_096), text, 65_536);
    expect(expected.length).toBeGreaterThan(10);
    // One byte at a time: the magic bytes are split over two chunks.
    expect(feed(createStoredObjectSplitPointFinder(4_096), text, 1)).toEqual(expected);
    expect(feed(createStoredObjectSplitPointFinder(4_096), text, 3_000)).toEqual(expected);
    expect(feed(createStoredObjectSplitPointFinder(4_096), compressed, 1)).toEqual([]);
    expect(feed(createStoredObjectSplitPointFinder(64), Buffer.from(`${HEADER}\nA\n`.repeat(40)), 100).length).toBeGreaterThan(0);
    expect(feed(createStoredObjectSplitPointFinder(64), Buffer.alloc(0), 1)).toEqual([]);
  });
});

describe('object content', () => {
  it('inflates a gzip object and counts the stored bytes read', async () => {
    const content = await openObjectContent(trickle(compressed, 1_000), 'orders.csv.gz');
    expect(content.compressed).toBe(true);
    expect((await readAll(content.stream)).equals(text)).toBe(true);
    expect(content.bytesRead()).toBe(compressed.length);
  });

  it('passes a plain object through as it is, also one split before its second byte', async () => {
    const content = await openObjectContent(trickle(text, 1), 'orders.csv');
    expect(content.compressed).toBe(false);
    expect((await readAll(content.stream)).equals(text)).toBe(true);
    expect(content.bytesRead()).toBe(text.length);
    for (const tiny of [Buffer.alloc(0), Buffer.from('a')]) {
      expect((await readAll((await openObjectContent(Readable.from([tiny]), 'x.csv')).stream)).equals(tiny)).toBe(true);
    }
  });

  it('parses a gzip file into the same lines, rejects and line numbers as its plain twin', async () => {
    const plain = await parse((await openObjectContent(trickle(text, 4_096), 'orders.csv')).stream, 'orders.csv');
    const inflated = await parse((await openObjectContent(trickle(compressed, 512), 'orders.csv')).stream, 'orders.csv');
    expect(inflated).toEqual(plain);
    const rejects = plain.flatMap((batch) => batch.rejects);
    expect(rejects.map((reject) => reject.lineNumber)).toEqual([10, 513, 1013, 1513, 2013, 2513]);
  });

  it.each([
    ['truncated', compressed.subarray(0, Math.floor(compressed.length / 2)), 'the file is truncated'],
    ['cut inside its trailer', compressed.subarray(0, compressed.length - 3), 'the file is truncated'],
    ['only the magic bytes', compressed.subarray(0, 2), 'the file is truncated'],
    ['with a wrong checksum', Buffer.concat([compressed.subarray(0, compressed.length - 8), Buffer.alloc(8)]), 'the file is damaged'],
    ['damaged inside', Buffer.concat([compressed.subarray(0, 12), Buffer.alloc(40, 9), compressed.subarray(52)]), 'the gzip data is damaged'],
  ])('refuses a gzip file %s as bad input naming the file', async (_case, bytes, reason) => {
    const content = await openObjectContent(trickle(bytes, 700), 'orders.csv.gz');
    const failure = await parse(content.stream, 'orders.csv.gz').then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(InvalidFileError);
    expect((failure as InvalidFileError).message).toMatch(/^orders\.csv\.gz: /);
    expect((failure as InvalidFileError).message).toContain(reason);
  });

  it('passes an error of the download through untouched', async () => {
    const source = new PassThrough();
    source.write(compressed.subarray(0, 100));
    const content = await openObjectContent(source, 'orders.csv.gz');
    setImmediate(() => source.destroy(new Error('connection reset')));
    await expect(readAll(content.stream)).rejects.toThrow('connection reset');
  });

  it('stops the download when the reader stops early', async () => {
    const source = trickle(compressed, 100);
    const content = await openObjectContent(source, 'orders.csv.gz');
    for await (const _chunk of content.stream) break;
    // The stop travels back through the inflater and the byte counter, a few ticks.
    for (let tick = 0; tick < 50 && !source.destroyed; tick += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(source.destroyed).toBe(true);
  });
});
