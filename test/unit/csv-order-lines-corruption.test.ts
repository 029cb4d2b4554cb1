import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { Readable } from 'node:stream';
import { readOrderLines, type OrderLineBatch } from '../../src/domain/csv-order-lines.ts';
import { createEmailHasher } from '../../src/domain/email.ts';
import { InvalidFileError } from '../../src/errors.ts';

/**
 * Randomly corrupted variants of a valid export go through the real reader: each must end as a
 * clean, self-consistent result or as an InvalidFileError naming the file, never as another
 * exception, a hang, or more output after the error.
 */

const hashEmail = createEmailHasher('corruption-test-key-0123456789');
const FILENAME = 'corrupt.csv';

const VALID_ROWS = [
  ['order_ref', 'order_date', 'customer_email', 'customer_region', 'sku', 'product_name', 'category', 'quantity', 'unit_price', 'payment_method'],
  ['ORD-1', '2026-10-11T07:21:43Z', 'amina@example.com', 'Nairobi', 'SKU-1', '"Tea, 500g"', 'Groceries', '2', '287.50', 'M-Pesa'],
  ['ORD-1', '2026-10-11T07:21:43Z', 'amina@example.com', 'Nairobi', 'SKU-2', '"Mug ""Big"""', 'Kitchen', '1', '99.00', 'mpesa'],
  ['ORD-2', '2026-10-12', 'kofi@example.com', '', 'SKU-3', '"Rice\nbag"', 'Groceries', '3', '12.5', 'Bank Transfer'],
  ['ORD-3', '2026-10-12T10:00:00+03:00', 'zuri@example.com', 'Accra', 'SKU-1', 'Tea', 'Groceries', '1', '0', 'card'],
  ['ORD-4', '2026-10-13T10:00:00', 'ade@example.com', 'Lagos', 'SKU-4', 'Pan', 'Kitchen', '5', '1200.00', 'paystack'],
  ['ORD-5', '2026-10-14T11:00:00Z', 'wanjiru@example.com', 'Mombasa', 'SKU-5', 'Kettle', 'Kitchen', '1', '45.99', 'eft'],
];

type Corruption =
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'insert-quote'; at: number }
  | { kind: 'delete-quote'; nth: number }
  | { kind: 'drop-column'; column: number; headerToo: boolean }
  | { kind: 'duplicate-column'; column: number; headerToo: boolean };

const position = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
const column = fc.integer({ min: 0, max: 9 });

const corruption: fc.Arbitrary<Corruption> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  fc.record({ kind: fc.constant('flip' as const), at: position, byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('insert-quote' as const), at: position }),
  fc.record({ kind: fc.constant('delete-quote' as const), nth: fc.nat({ max: 20 }) }),
  fc.record({ kind: fc.constant('drop-column' as const), column, headerToo: fc.boolean() }),
  fc.record({ kind: fc.constant('duplicate-column' as const), column, headerToo: fc.boolean() }),
);

function buildFile(rows: readonly (readonly string[])[], lineEnd: string): Buffer {
  return Buffer.from(rows.map((fields) => fields.join(',')).join(lineEnd) + lineEnd, 'utf8');
}

/** Column edits work on the rows (before joining); byte edits on the bytes of the file. */
function corrupt(corruptions: readonly Corruption[], lineEnd: string): Buffer {
  let rows = VALID_ROWS.map((fields) => [...fields]);
  for (const change of corruptions) {
    if (change.kind === 'drop-column' || change.kind === 'duplicate-column') {
      rows = rows.map((fields, index) => {
        if (index === 0 && !change.headerToo) return fields;
        const copy = [...fields];
        if (change.kind === 'drop-column') copy.splice(change.column, 1);
        else copy.splice(change.column, 0, copy[change.column] ?? '');
        return copy;
      });
    }
  }
  let bytes = buildFile(rows, lineEnd);
  for (const change of corruptions) {
    const at = 'at' in change ? Math.floor(change.at * bytes.length) : 0;
    if (change.kind === 'truncate') bytes = bytes.subarray(0, at);
    else if (change.kind === 'flip') {
      bytes = Buffer.from(bytes);
      if (at < bytes.length) bytes[at] = change.byte;
    } else if (change.kind === 'insert-quote') {
      bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from('"'), bytes.subarray(at)]);
    } else if (change.kind === 'delete-quote') {
      const quotes = [...bytes.entries()].filter(([, byte]) => byte === 0x22).map(([index]) => index);
      const index = quotes.length === 0 ? -1 : (quotes[change.nth % quotes.length] ?? -1);
      if (index >= 0) bytes = Buffer.concat([bytes.subarray(0, index), bytes.subarray(index + 1)]);
    }
  }
  return bytes;
}

function chunked(bytes: Buffer, chunkSize: number): Readable {
  const chunks: Buffer[] = [];
  for (let start = 0; start < bytes.length; start += chunkSize) chunks.push(bytes.subarray(start, start + chunkSize));
  return Readable.from(chunks);
}

type Outcome = { kind: 'clean'; batches: OrderLineBatch[] } | { kind: 'failed'; error: unknown; batchesAfterError: number };

/** Reads the whole file; after a failure, asks for more to prove the reader yields nothing further. */
async function readToEnd(bytes: Buffer, chunkSize: number, batchSize: number): Promise<Outcome> {
  const batches: OrderLineBatch[] = [];
  const reader = readOrderLines(chunked(bytes, chunkSize), { filename: FILENAME, sourceTimeZone: 'UTC', hashEmail, batchSize });
  try {
    for (;;) {
      const next = await reader.next();
      if (next.done) return { kind: 'clean', batches };
      batches.push(next.value);
    }
  } catch (error) {
    let batchesAfterError = 0;
    for (let i = 0; i < 3; i++) if (!(await reader.next()).done) batchesAfterError += 1;
    return { kind: 'failed', error, batchesAfterError };
  }
}

const RUN_TIMEOUT_MS = 5_000;

function withinTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the reader did not finish within ${RUN_TIMEOUT_MS} ms (a hang)`)), RUN_TIMEOUT_MS);
  });
  return Promise.race([work, hang]).finally(() => clearTimeout(timer));
}

function expectConsistent(batches: readonly OrderLineBatch[]): void {
  const lines = batches.flatMap((batch) => batch.lines.map((line) => line.lineNumber));
  const rejected = new Set(batches.flatMap((batch) => batch.rejects.map((reject) => reject.lineNumber)));
  const rowsRead = batches.reduce((sum, batch) => sum + batch.rowsRead, 0);
  // Every row read is either a line or a rejected line, never both, never lost.
  expect(lines.filter((line) => rejected.has(line))).toEqual([]);
  expect(lines.length + rejected.size).toBe(rowsRead);
  expect(lines).toEqual([...lines].sort((a, b) => a - b));
  expect(new Set(lines).size).toBe(lines.length);
  for (const batch of batches) {
    for (const reject of batch.rejects) {
      expect(reject.reason).not.toMatch(/@example\.com/);
      expect(reject.lineNumber).toBeGreaterThan(1);
    }
  }
}

describe('readOrderLines on corrupted files', () => {
  it('reads the uncorrupted file cleanly (the baseline the corruptions start from)', async () => {
    const outcome = await readToEnd(buildFile(VALID_ROWS, '\r\n'), 64, 2);
    expect(outcome.kind).toBe('clean');
    if (outcome.kind === 'clean') {
      expect(outcome.batches.flatMap((batch) => batch.lines)).toHaveLength(VALID_ROWS.length - 1);
      expect(outcome.batches.flatMap((batch) => batch.rejects)).toEqual([]);
    }
  });

  it('ends every corrupted variant in a clean result or an InvalidFileError, never anything else', async () => {
    const outcomes = { clean: 0, failed: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.array(corruption, { minLength: 1, maxLength: 3 }),
        fc.constantFrom('\n', '\r\n'),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 4 }),
        async (corruptions, lineEnd, chunkSize, batchSize) => {
          const bytes = corrupt(corruptions, lineEnd);
          const outcome = await withinTimeout(readToEnd(bytes, chunkSize, batchSize));
          outcomes[outcome.kind] += 1;
          if (outcome.kind === 'failed') {
            expect(outcome.error).toBeInstanceOf(InvalidFileError);
            expect((outcome.error as InvalidFileError).message.startsWith(`${FILENAME}`)).toBe(true);
            expect((outcome.error as InvalidFileError).message).not.toMatch(/@example\.com/);
            expect(outcome.batchesAfterError).toBe(0);
          } else {
            expectConsistent(outcome.batches);
          }
        },
      ),
      { numRuns: 300, seed: 20261126 },
    );
    // The corruptions must exercise both endings, or the property proves little.
    expect(outcomes.clean).toBeGreaterThan(20);
    expect(outcomes.failed).toBeGreaterThan(20);
  });

  it('gives the same verdict and rows for a corrupted file whatever the chunk sizes of the source', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(corruption, { minLength: 1, maxLength: 2 }),
        fc.integer({ min: 1, max: 97 }),
        async (corruptions, chunkSize) => {
          const bytes = corrupt(corruptions, '\n');
          const whole = await withinTimeout(readToEnd(bytes, bytes.length + 1, 1000));
          const pieces = await withinTimeout(readToEnd(bytes, chunkSize, 1000));
          expect(pieces.kind).toBe(whole.kind);
          // Which of two problems is met first may depend on the chunks (a header checked before
          // a later bad byte arrives); that the file fails, and how, may not.
          if (whole.kind === 'failed' && pieces.kind === 'failed') {
            expect(pieces.error).toBeInstanceOf(InvalidFileError);
          } else if (whole.kind === 'clean' && pieces.kind === 'clean') {
            const summary = (batches: OrderLineBatch[]) => ({
              lines: batches.flatMap((batch) => batch.lines.map((line) => [line.lineNumber, line.orderRef, line.unitPrice])),
              rejects: batches.flatMap((batch) => batch.rejects),
            });
            expect(summary(pieces.batches)).toEqual(summary(whole.batches));
          }
        },
      ),
      { numRuns: 100, seed: 7 },
    );
  });
});
