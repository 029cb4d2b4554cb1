import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { Readable } from 'node:stream';
import {
  MAX_RECORD_SIZE,
  readHeaderRecord,
  readOrderLines,
  type OrderLineBatch,
} from '../../../src/domain/csv-order-lines.ts';
import { createEmailHasher } from '../../../src/domain/email.ts';
import { createSplitPointFinder, parseRangesOf, type SplitPoint } from '../../../src/domain/split-points.ts';
import { InvalidFileError } from '../../../src/errors.ts';

const hashEmail = createEmailHasher('split-points-test-key-0123456789');
const FILENAME = 'split.csv';
const HEADER = 'order_ref,order_date,customer_email,customer_region,sku,product_name,category,quantity,unit_price,payment_method';

const productName = fc.constantFrom(
  'Tea',
  'Café au lait',
  '"Tea, 500g"',
  '"Mug ""Big"""',
  '"Rice\nbag"',
  '"two\r\nlines"',
  '"a bare\rreturn"',
  '"""\n"""',
  '"\n"',
);
const region = fc.constantFrom('Nairobi', '', '"Dar\nes Salaam"', '""', '"Ägypten"');
const quantity = fc.constantFrom('1', '2', '0', 'x');
const date = fc.constantFrom('2026-10-11T07:21:43Z', '2026-10-12', 'not a date');
const email = fc.constantFrom('amina@example.com', 'kofi@example.com', 'not-an-email');

const dataRecord = fc
  .record({
    ref: fc.integer({ min: 1, max: 6 }),
    date,
    email,
    region,
    product: productName,
    quantity,
    ragged: fc.constantFrom(0, 0, 0, 0, -1, 1),
  })
  .map(({ ref, date: orderDate, email: address, region: place, product, quantity: count, ragged }) => {
    const fields = [`ORD-${ref}`, orderDate, address, place, 'SKU-1', product, 'Kitchen', count, '10.50', 'mpesa'];
    if (ragged < 0) fields.pop();
    if (ragged > 0) fields.push('extra');
    return fields.join(',');
  });
const blankRecord = fc.constantFrom('', '', '   ', '""');
const record = fc.oneof({ arbitrary: dataRecord, weight: 5 }, { arbitrary: blankRecord, weight: 1 });

/** A file as text: optional BOM and blank lines before the header, mixed line ends, maybe no final one. */
const csvFile = fc
  .record({
    bom: fc.boolean(),
    leading: fc.array(blankRecord, { maxLength: 2 }),
    records: fc.array(fc.tuple(record, fc.constantFrom('\n', '\r\n')), { maxLength: 30 }),
    headerEnd: fc.constantFrom('\n', '\r\n'),
    finalBreak: fc.boolean(),
  })
  .map(({ bom, leading, records, headerEnd, finalBreak }) => {
    let text = (bom ? '\ufeff' : '') + leading.map((line) => `${line}\n`).join('') + HEADER + headerEnd;
    records.forEach(([line, end], index) => {
      text += line + (index < records.length - 1 || finalBreak ? end : '');
    });
    return Buffer.from(text, 'utf8');
  });

function chunked(bytes: Buffer, chunkSize: number): Readable {
  const chunks: Buffer[] = [];
  for (let start = 0; start < bytes.length; start += chunkSize) chunks.push(bytes.subarray(start, start + chunkSize));
  return Readable.from(chunks);
}

function findSplitPoints(bytes: Buffer, spacing: number, chunkSize: number): SplitPoint[] {
  const finder = createSplitPointFinder(spacing);
  for (let start = 0; start < bytes.length; start += chunkSize) finder.push(bytes.subarray(start, start + chunkSize));
  return finder.finish();
}

type Read = { lines: unknown[]; rejects: unknown[]; rowsRead: number; lineNumbers: number[] };
type Outcome = { ok: true; read: Read } | { ok: false; error: unknown };

function summarize(batches: readonly OrderLineBatch[]): Read {
  const lines = batches.flatMap((batch) => batch.lines);
  const rejects = batches.flatMap((batch) => batch.rejects);
  return {
    lines,
    rejects,
    rowsRead: batches.reduce((sum, batch) => sum + batch.rowsRead, 0),
    lineNumbers: [...lines.map((line) => line.lineNumber), ...rejects.map((reject) => reject.lineNumber)],
  };
}

async function collect(source: AsyncIterable<OrderLineBatch>): Promise<Outcome> {
  const batches: OrderLineBatch[] = [];
  try {
    for await (const batch of source) batches.push(batch);
    return { ok: true, read: summarize(batches) };
  } catch (error) {
    return { ok: false, error };
  }
}

const options = (batchSize: number) => ({ filename: FILENAME, sourceTimeZone: 'UTC', hashEmail, batchSize });

function readWhole(bytes: Buffer, chunkSize: number, batchSize = 3): Promise<Outcome> {
  return collect(readOrderLines(chunked(bytes, chunkSize), options(batchSize)));
}

/** Each part read on its own, as the parse activities do: the first as a whole file, the rest with the header. */
async function readParts(bytes: Buffer, points: readonly SplitPoint[], chunkSize: number, batchSize = 2): Promise<Outcome[]> {
  return Promise.all(
    parseRangesOf(points, bytes.length).map(async (range) => {
      const part = bytes.subarray(range.start, range.end);
      if (range.index === 0) return collect(readOrderLines(chunked(part, chunkSize), options(batchSize)));
      try {
        const header = await readHeaderRecord(chunked(bytes, chunkSize), FILENAME);
        if (header === null) throw new Error('a file with split points has a header');
        return collect(
          readOrderLines(chunked(part, chunkSize), { ...options(batchSize), range: { header, firstLine: range.firstLine } }),
        );
      } catch (error) {
        return { ok: false, error } satisfies Outcome;
      }
    }),
  );
}

function lineFeedsBefore(bytes: Buffer, offset: number): number {
  let count = 0;
  for (let index = 0; index < offset; index += 1) if (bytes[index] === 0x0a) count += 1;
  return count;
}

function errorOf(outcome: Outcome): { message: string; line: number | undefined } {
  if (outcome.ok) throw new Error('expected a failure');
  expect(outcome.error).toBeInstanceOf(InvalidFileError);
  const error = outcome.error as InvalidFileError;
  return { message: error.message, line: error.line };
}

describe('createSplitPointFinder', () => {
  it('cuts after a record delimiter outside quotes, past the header, about every `spacing` bytes', () => {
    const text = `${HEADER}\nA,"x\ny"\r\nB,"say ""hi""\n"\nC\n\nD\n`;
    const bytes = Buffer.from(text, 'utf8');
    const all = findSplitPoints(bytes, 1, 7);
    const offsetAfter = (marker: string) => text.indexOf(marker) + marker.length;
    expect(all).toEqual([
      { offset: HEADER.length + 1, line: 2 },
      { offset: offsetAfter('y"\r\n'), line: 4 },
      { offset: offsetAfter('""hi""\n"\n'), line: 6 },
      { offset: offsetAfter('C\n'), line: 7 },
      { offset: offsetAfter('C\n\n'), line: 8 },
    ]);
    // The header alone is longer than the spacing; the next cut is the first one 20 bytes on.
    expect(findSplitPoints(bytes, 20, 5)).toEqual([all[0], all[2]]);
  });

  it('makes no cut before the first record with text, nor at the very end', () => {
    const bytes = Buffer.from(`\n  \n""\n${HEADER}\nA\n`, 'utf8');
    expect(findSplitPoints(bytes, 1, 3)).toEqual([{ offset: bytes.indexOf(`A\n`), line: 5 }]);
    expect(findSplitPoints(Buffer.from(`${HEADER}\n`), 1, 4)).toEqual([]);
  });

  it('rejects a spacing that is not a positive integer', () => {
    expect(() => createSplitPointFinder(0)).toThrow(RangeError);
  });

  it('finds every record boundary, with the line it starts, whatever the chunks (property)', () => {
    fc.assert(
      fc.property(csvFile, fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 300 }), (bytes, chunkSize, spacing) => {
        const all = findSplitPoints(bytes, 1, chunkSize);
        expect(findSplitPoints(bytes, 1, bytes.length + 1)).toEqual(all);
        for (const point of all) {
          expect(bytes[point.offset - 1]).toBe(0x0a);
          expect(point.line).toBe(lineFeedsBefore(bytes, point.offset) + 1);
        }
        const spaced = findSplitPoints(bytes, spacing, chunkSize);
        spaced.forEach((point, index) => {
          expect(all).toContainEqual(point);
          expect(point.offset - (spaced[index - 1]?.offset ?? 0)).toBeGreaterThanOrEqual(spacing);
        });
      }),
      { numRuns: 300, seed: 1212 },
    );
  });
});

describe('reading a file in parts', () => {
  it('gives the same lines, rejects and line numbers as one read, for any choice of split points (property)', async () => {
    let multiPart = 0;
    await fc.assert(
      fc.asyncProperty(
        csvFile,
        fc.infiniteStream(fc.boolean()),
        fc.integer({ min: 1, max: 64 }),
        async (bytes, keep, chunkSize) => {
          const chosen = findSplitPoints(bytes, 1, chunkSize).filter(() => keep.next().value as boolean);
          const whole = await readWhole(bytes, chunkSize);
          if (!whole.ok) throw whole.error;
          const parts = await readParts(bytes, chosen, chunkSize);
          const ranges = parseRangesOf(chosen, bytes.length);
          const reads = parts.map((part) => {
            if (!part.ok) throw part.error;
            return part.read;
          });
          if (reads.length > 1) multiPart += 1;
          expect(reads.flatMap((read) => read.lines)).toEqual(whole.read.lines);
          expect(reads.flatMap((read) => read.rejects)).toEqual(whole.read.rejects);
          expect(reads.reduce((sum, read) => sum + read.rowsRead, 0)).toBe(whole.read.rowsRead);
          // Each part's rows lie between its own first line and the next part's.
          reads.forEach((read, index) => {
            const from = ranges[index]?.firstLine ?? 1;
            const until = ranges[index + 1]?.firstLine ?? Number.POSITIVE_INFINITY;
            for (const line of read.lineNumbers) {
              expect(line).toBeGreaterThanOrEqual(from);
              expect(line).toBeLessThan(until);
            }
          });
        },
      ),
      { numRuns: 250, seed: 20261212 },
    );
    expect(multiPart).toBeGreaterThan(100);
  });

  type Fault = { kind: 'bad-byte' | 'open-quote' | 'quote-in-field' | 'after-closing-quote'; at: number };
  const fault: fc.Arbitrary<Fault> = fc.record({
    kind: fc.constantFrom('bad-byte', 'open-quote', 'quote-in-field', 'after-closing-quote'),
    at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
  });

  /** One problem on a data line picked by `at`: the first part to fail must fail as the whole file does. */
  function inject(bytes: Buffer, { kind, at }: Fault): Buffer {
    const text = bytes.toString('utf8');
    const lines = text.split('\n');
    const headerIndex = lines.findIndex((line) => line.includes('order_ref'));
    const index = headerIndex + 1 + Math.floor(at * (lines.length - headerIndex - 1));
    const line = lines[index];
    if (line === undefined) return bytes;
    if (kind === 'bad-byte') {
      const before = Buffer.from(lines.slice(0, index).join('\n') + '\n', 'utf8');
      return Buffer.concat([before, Buffer.from([0xff]), Buffer.from(lines.slice(index).join('\n'), 'utf8')]);
    }
    const broken = { 'open-quote': `"${line}`, 'quote-in-field': `x"${line}`, 'after-closing-quote': `"a"b,${line}` }[kind];
    lines[index] = broken;
    return Buffer.from(lines.join('\n'), 'utf8');
  }

  it('fails in the first failing part with the message and line of the whole file (property)', async () => {
    let failures = 0;
    await fc.assert(
      fc.asyncProperty(csvFile, fault, fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 64 }), async (clean, problem, spacing, chunkSize) => {
        const bytes = inject(clean, problem);
        const whole = await readWhole(bytes, chunkSize);
        const parts = await readParts(bytes, findSplitPoints(bytes, spacing, chunkSize), chunkSize);
        const firstFailure = parts.find((part) => !part.ok);
        if (whole.ok) {
          expect(firstFailure).toBeUndefined();
          return;
        }
        failures += 1;
        expect(firstFailure).toBeDefined();
        if (firstFailure !== undefined) expect(errorOf(firstFailure)).toEqual(errorOf(whole));
      }),
      { numRuns: 300, seed: 4180 },
    );
    expect(failures).toBeGreaterThan(100);
  });

  it('reports a record over the size limit in a later part on its line', async () => {
    const rows = Array.from({ length: 20 }, (_, index) => `ORD-${index},2026-10-12,a@example.com,,SKU-1,Tea,Kitchen,1,1,mpesa`);
    rows[12] = `ORD-12,2026-10-12,a@example.com,,SKU-1,"${'x\n'.repeat(MAX_RECORD_SIZE / 2 + 10)}",Kitchen,1,1,mpesa`;
    const bytes = Buffer.from(`${HEADER}\n${rows.join('\n')}\n`, 'utf8');
    const points = findSplitPoints(bytes, 200, 64 * 1024);
    expect(points.length).toBeGreaterThan(2);
    const whole = await readWhole(bytes, 64 * 1024, 1000);
    const parts = await readParts(bytes, points, 64 * 1024, 1000);
    const firstFailure = parts.findIndex((part) => !part.ok);
    expect(firstFailure).toBeGreaterThan(0);
    expect(errorOf(parts[firstFailure] as Outcome)).toEqual(errorOf(whole));
    expect(errorOf(whole).line).toBe(14);
  });

  it('fails every part of a file whose header lacks a column as the whole file does', async () => {
    const bytes = Buffer.from(`${HEADER.replace(',sku', '')}\nA\nB\nC\n`, 'utf8');
    const parts = await readParts(bytes, findSplitPoints(bytes, 1, 8), 8);
    const whole = errorOf(await readWhole(bytes, 8));
    expect(parts).toHaveLength(4);
    for (const part of parts) expect(errorOf(part)).toEqual(whole);
  });
});
