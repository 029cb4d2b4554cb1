import { describe, expect, it, jest } from '@jest/globals';
import { Readable } from 'node:stream';
import { createEmailHasher } from '../../../src/domain/email.ts';
import {
  MAX_RECORD_SIZE,
  readOrderLines,
  type OrderLineBatch,
  type ReadOrderLinesOptions,
} from '../../../src/domain/csv-order-lines.ts';
import { InvalidFileError } from '../../../src/errors.ts';

const hashEmail = createEmailHasher('csv-reader-test-key-0123456789');
const HEADER = 'order_ref,order_date,customer_email,customer_region,sku,product_name,category,quantity,unit_price,payment_method';

function row(orderRef: string, overrides: { date?: string; email?: string; product?: string; price?: string } = {}): string {
  const { date = '2024-03-01T10:00:00', email = 'jane@example.com', product = 'Flask', price = '10' } = overrides;
  return `${orderRef},${date},${email},Nairobi,SKU-1,${product},Kitchen,1,${price},mpesa`;
}

type Options = Partial<ReadOrderLinesOptions>;

function optionsWith(overrides: Options = {}): ReadOrderLinesOptions {
  return { filename: 'orders.csv', sourceTimeZone: 'UTC', hashEmail, batchSize: 1000, ...overrides };
}

function sourceOf(content: string | Buffer, chunkSize?: number): Readable {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  if (chunkSize === undefined) return Readable.from([bytes]);
  const chunks: Buffer[] = [];
  for (let start = 0; start < bytes.length; start += chunkSize) chunks.push(bytes.subarray(start, start + chunkSize));
  return Readable.from(chunks);
}

async function readAll(content: string | Buffer, overrides: Options & { chunkSize?: number } = {}) {
  const { chunkSize, ...options } = overrides;
  const batches: OrderLineBatch[] = [];
  for await (const batch of readOrderLines(sourceOf(content, chunkSize), optionsWith(options))) batches.push(batch);
  return {
    batches,
    lines: batches.flatMap((batch) => batch.lines),
    rejects: batches.flatMap((batch) => batch.rejects),
    rowsRead: batches.reduce((sum, batch) => sum + batch.rowsRead, 0),
  };
}

async function fileError(content: string | Buffer | Readable, overrides: Options = {}): Promise<InvalidFileError> {
  const source = content instanceof Readable ? content : sourceOf(content);
  try {
    for await (const batch of readOrderLines(source, optionsWith(overrides))) void batch;
  } catch (error) {
    if (error instanceof InvalidFileError) return error;
    throw error;
  }
  throw new Error('expected the file to fail');
}

describe('readOrderLines: reading rows', () => {
  it('reads valid rows with their line numbers', async () => {
    const { lines, rejects, rowsRead } = await readAll(`${HEADER}\n${row('R1')}\n${row('R2')}\n`);
    expect(rejects).toEqual([]);
    expect(rowsRead).toBe(2);
    expect(lines.map((line) => [line.lineNumber, line.orderRef])).toEqual([
      [2, 'R1'],
      [3, 'R2'],
    ]);
    expect(lines[0]).toMatchObject({
      orderDate: new Date('2024-03-01T10:00:00Z'),
      emailHash: hashEmail('jane@example.com'),
      customerRegion: 'Nairobi',
      sku: 'SKU-1',
      productName: 'Flask',
      category: 'Kitchen',
      quantity: 1,
      unitPrice: '10.00',
      paymentMethod: 'mpesa',
    });
  });

  it('reads dates without an offset in the source time zone', async () => {
    const { lines } = await readAll(`${HEADER}\n${row('R1')}\n`, { sourceTimeZone: 'Africa/Nairobi' });
    expect(lines[0]?.orderDate.toISOString()).toBe('2024-03-01T07:00:00.000Z');
  });

  it('reads a file without a final line break', async () => {
    const { lines } = await readAll(`${HEADER}\n${row('R1')}`);
    expect(lines.map((line) => line.orderRef)).toEqual(['R1']);
  });

  it('skips a UTF-8 byte-order mark', async () => {
    const { lines } = await readAll(`\ufeff${HEADER}\n${row('R1')}\n`);
    expect(lines.map((line) => line.orderRef)).toEqual(['R1']);
  });

  it('skips a byte-order mark before a quoted header field', async () => {
    const header = HEADER.replace('order_ref', '"order_ref"');
    const { lines } = await readAll(`\ufeff${header}\r\n${row('R1')}\r\n`);
    expect(lines.map((line) => [line.lineNumber, line.orderRef])).toEqual([[2, 'R1']]);
  });

  it('reads CRLF line endings, and files that mix them with LF', async () => {
    const crlf = await readAll(`${HEADER}\r\n${row('R1')}\r\n${row('R2')}\r\n`);
    expect(crlf.lines.map((line) => [line.lineNumber, line.orderRef, line.paymentMethod])).toEqual([
      [2, 'R1', 'mpesa'],
      [3, 'R2', 'mpesa'],
    ]);
    const mixed = await readAll(`${HEADER}\r\n${row('R1')}\n${row('R2')}\r\n`);
    expect(mixed.lines.map((line) => [line.lineNumber, line.orderRef])).toEqual([
      [2, 'R1'],
      [3, 'R2'],
    ]);
  });

  it('reads quoted fields holding commas, quotes and line breaks', async () => {
    const content = [
      HEADER,
      row('R1', { product: '"Flask, 1 l"' }),
      row('R2', { product: '"The ""Best"" Mug"' }),
      row('R3', { product: '"Two\nline name"' }),
      row('R4'),
      '',
    ].join('\n');
    const { lines } = await readAll(content);
    expect(lines.map((line) => [line.lineNumber, line.orderRef, line.productName])).toEqual([
      [2, 'R1', 'Flask, 1 l'],
      [3, 'R2', 'The "Best" Mug'],
      [4, 'R3', 'Two\nline name'],
      [6, 'R4', 'Flask'],
    ]);
  });

  it('numbers records by the physical line they start on, after multi-line fields', async () => {
    const content = [
      HEADER,
      row('R1', { product: '"one\ntwo\nthree"' }),
      row('R2', { product: '"crlf\r\ninside"' }),
      row('R3', { product: '"a bare\rcarriage return"' }),
      row('R4'),
      '',
    ].join('\r\n');
    const { lines } = await readAll(content);
    expect(lines.map((line) => [line.orderRef, line.lineNumber])).toEqual([
      ['R1', 2],
      ['R2', 5],
      ['R3', 7],
      ['R4', 8],
    ]);
  });

  it('skips blank lines, keeping the line numbers of what follows', async () => {
    const content = `\n${HEADER}\n\n${row('R1')}\n   \n\r\n""\n${row('R2')}\n\n\n`;
    const { lines, rejects, rowsRead, batches } = await readAll(content);
    expect(rejects).toEqual([]);
    expect(rowsRead).toBe(2);
    expect(lines.map((line) => [line.orderRef, line.lineNumber])).toEqual([
      ['R1', 4],
      ['R2', 8],
    ]);
    expect(batches.at(-1)?.lastLineNumber).toBe(8);
  });

  it('gives the same result whatever the chunk sizes of the source', async () => {
    const content = `\ufeff${HEADER}\r\n${row('R1', { product: '"Café ☕, ""hot""\r\nand 🛒"' })}\r\n\r\n${row('R2', { product: 'Ünïcode' })}\r\nbad,row\r\n`;
    const expected = await readAll(content);
    expect(expected.lines).toHaveLength(2);
    for (const chunkSize of [1, 2, 3, 7, 64]) {
      expect(await readAll(content, { chunkSize })).toEqual(expected);
    }
  });
});

describe('readOrderLines: header', () => {
  it('matches header names whatever their case, spacing and order', async () => {
    const header = ' Payment_Method ,UNIT_PRICE,quantity,Category,product_name,SKU,customer_region,Customer_Email,order_date,ORDER_REF';
    const { lines } = await readAll(`${header}\nmpesa,5.5,3,Toys,Ball,B-1,,a@b.co,2024-03-01,R9\n`);
    expect(lines).toEqual([
      expect.objectContaining({
        orderRef: 'R9',
        sku: 'B-1',
        productName: 'Ball',
        category: 'Toys',
        quantity: 3,
        unitPrice: '5.50',
        customerRegion: null,
        paymentMethod: 'mpesa',
      }),
    ]);
  });

  it('ignores extra columns and warns about them once', async () => {
    const warn = jest.fn<(obj: object, msg: string) => void>();
    const content = `${HEADER},notes,Contact jane@example.com\n${row('R1')},fragile,x\n${row('R2')},,y\n`;
    const { lines } = await readAll(content, { logger: { warn }, batchSize: 1 });
    expect(lines.map((line) => line.orderRef)).toEqual(['R1', 'R2']);
    expect(warn).toHaveBeenCalledTimes(1);
    const [details, message] = warn.mock.calls[0] ?? [];
    expect(details).toEqual({
      filename: 'orders.csv',
      ignoredColumns: ['notes', '(a value that looks like an email address, not shown)'],
    });
    expect(message).toMatch(/not in the input contract/);
  });

  it('does not warn when every column is known', async () => {
    const warn = jest.fn<(obj: object, msg: string) => void>();
    await readAll(`${HEADER}\n${row('R1')}\n`, { logger: { warn } });
    expect(warn).not.toHaveBeenCalled();
  });

  it('fails the file naming every missing required column', async () => {
    const error = await fileError(`order_ref,customer_email,quantity,notes\nR1,a@b.co,1,x\n`);
    expect(error.line).toBe(1);
    expect(error.reason).toMatch(
      /^the header lacks the required columns order_date, sku, product_name, category, unit_price, payment_method /,
    );
  });

  it('does not require customer_region', async () => {
    const header = HEADER.replace(',customer_region', '');
    const { lines } = await readAll(`${header}\nR1,2024-03-01,a@b.co,S,P,C,1,1,card\n`);
    expect(lines[0]?.customerRegion).toBeNull();
  });

  it('fails a file that names a column twice', async () => {
    const error = await fileError(`${HEADER},SKU\n${row('R1')},x\n`);
    expect(error.reason).toMatch(/^the header names sku more than once/);
  });

  it('masks emails when a file without a header shows its first row as the header', async () => {
    const error = await fileError(`${row('R1')}\n${row('R2')}\n`);
    expect(error.reason).toMatch(/lacks the required columns/);
    expect(error.message).not.toContain('@');
  });

  it('reads a header-only file as zero rows', async () => {
    for (const content of [`${HEADER}\n`, HEADER, `\ufeff${HEADER}\r\n\r\n`]) {
      const { batches } = await readAll(content);
      expect(batches).toEqual([{ lines: [], rejects: [], rowsRead: 0, lastLineNumber: 1 }]);
    }
  });

  it.each([
    ['an empty object', ''],
    ['a byte-order mark alone', '\ufeff'],
    ['only blank lines', '\n\r\n  \n'],
  ])('fails %s as having no header', async (_label, content) => {
    const error = await fileError(content);
    expect(error.reason).toBe('the file is empty: it has no header line');
  });
});

describe('readOrderLines: row rejects', () => {
  it('rejects a row with the wrong number of fields and loads the rest', async () => {
    const content = `${HEADER}\n${row('R1')},extra\n${row('R2')}\nshort,row\n`;
    const { lines, rejects, rowsRead } = await readAll(content);
    expect(lines.map((line) => line.orderRef)).toEqual(['R2']);
    expect(rowsRead).toBe(3);
    expect(rejects).toEqual([
      { lineNumber: 2, column: '*', reason: '11 fields, the header has 10' },
      { lineNumber: 4, column: '*', reason: '2 fields, the header has 10' },
    ]);
  });

  it('records every broken column of a row with its line', async () => {
    const content = `${HEADER}\n${row('R1')}\n,yesterday,nope,,,,,0,KES 50,\n`;
    const { rejects } = await readAll(content);
    expect(rejects.map((reject) => [reject.lineNumber, reject.column])).toEqual([
      [3, 'order_ref'],
      [3, 'order_date'],
      [3, 'customer_email'],
      [3, 'sku'],
      [3, 'product_name'],
      [3, 'category'],
      [3, 'quantity'],
      [3, 'unit_price'],
      [3, 'payment_method'],
    ]);
  });

  it('puts no email in any reject', async () => {
    const email = 'jane@example.com';
    const content = `${HEADER}\n${email},${email},${email},${email},${email},${email},${email},${email},${email},${email}\n`;
    const { rejects } = await readAll(content);
    expect(rejects.length).toBeGreaterThan(2);
    for (const reject of rejects) expect(reject.reason).not.toContain('@');
  });
});

describe('readOrderLines: batches', () => {
  const fiveRows = `${HEADER}\n${['R1', 'R2', 'R3', 'R4', 'R5'].map((ref) => row(ref)).join('\n')}\n`;

  it('yields a batch every batchSize rows and one at the end', async () => {
    const { batches } = await readAll(fiveRows, { batchSize: 2 });
    expect(batches.map((batch) => [batch.rowsRead, batch.lines.length, batch.lastLineNumber])).toEqual([
      [2, 2, 3],
      [2, 2, 5],
      [1, 1, 6],
    ]);
  });

  it('yields an empty final batch when the rows divide evenly', async () => {
    const { batches } = await readAll(`${HEADER}\n${row('R1')}\n${row('R2')}\n`, { batchSize: 2 });
    expect(batches.map((batch) => [batch.rowsRead, batch.lastLineNumber])).toEqual([
      [2, 3],
      [0, 3],
    ]);
  });

  it('counts rejected rows in rowsRead', async () => {
    const { batches } = await readAll(`${HEADER}\n${row('R1')}\nbad\n${row('R3', { price: '-1' })}\n`, { batchSize: 2 });
    expect(batches.map((batch) => [batch.rowsRead, batch.lines.length, batch.rejects.length])).toEqual([
      [2, 1, 1],
      [1, 0, 1],
    ]);
  });

  it('refuses a batch size that is not a positive integer', async () => {
    const read = readOrderLines(sourceOf(`${HEADER}\n`), optionsWith({ batchSize: 0 }));
    await expect(read.next()).rejects.toThrow(RangeError);
  });

  it('reads the source only as fast as batches are taken', async () => {
    let bytesPulled = 0;
    const rowCount = 200_000;
    const source = Readable.from(
      (function* generate() {
        const header = Buffer.from(`${HEADER}\n`);
        bytesPulled += header.length;
        yield header;
        for (let index = 0; index < rowCount; index += 100) {
          const chunk = Buffer.from(
            Array.from({ length: 100 }, (_, offset) => `${row(`R${index + offset}`)}\n`).join(''),
          );
          bytesPulled += chunk.length;
          yield chunk;
        }
      })(),
    );
    const reader = readOrderLines(source, optionsWith({ batchSize: 100 }));
    const first = await reader.next();
    expect(first.done).toBe(false);
    expect(bytesPulled).toBeLessThan(1024 * 1024);
    expect(bytesPulled).toBeLessThan(rowCount * 70);
    await reader.return();
    expect(source.destroyed).toBe(true);
  });
});

describe('readOrderLines: file failures', () => {
  it('fails on bytes that are not UTF-8, naming the line', async () => {
    const content = Buffer.concat([
      Buffer.from(`${HEADER}\n${row('R1')}\n${row('R2', { product: 'Caf' })}`),
      Buffer.from([0xe9]),
      Buffer.from(`\n${row('R4')}\n`),
    ]);
    const error = await fileError(content);
    expect(error.line).toBe(3);
    expect(error.message).toMatch(/^orders\.csv, line 3: the file is not valid UTF-8/);
  });

  it('fails on a quote left open at the end of the file, at the line its record starts', async () => {
    const error = await fileError(`${HEADER}\n${row('R1')}\n\n${row('R2', { product: '"Flask' })}\n${row('R3')}\n`);
    expect(error.line).toBe(4);
    expect(error.reason).toMatch(/never closed/);
  });

  it('fails on a closing quote followed by other characters', async () => {
    const error = await fileError(`${HEADER}\n${row('R1', { product: '"Fla"sk' })}\n`);
    expect(error.line).toBe(2);
    expect(error.reason).toMatch(/closing quote/);
  });

  it('fails on a quote inside an unquoted field without echoing the field', async () => {
    const error = await fileError(`${HEADER}\n${row('R1')}\n${row('R2', { email: 'jane@example.com"' })}\n`);
    expect(error.line).toBe(3);
    expect(error.reason).toMatch(/quote appears inside an unquoted field/);
    expect(error.message).not.toContain('@');
    expect(error.cause).toBeUndefined();
  });

  it('fails on a record over 1 MiB without reading much further', async () => {
    let bytesPulled = 0;
    const megabyte = Buffer.alloc(64 * 1024, 'x');
    const source = Readable.from(
      (function* generate() {
        const start = Buffer.from(`${HEADER}\n${row('R1')}\nR2,2024-03-01,a@b.co,,S,"`);
        bytesPulled += start.length;
        yield start;
        // 256 MiB of one quoted field, if anyone kept reading.
        for (let index = 0; index < 4096; index += 1) {
          bytesPulled += megabyte.length;
          yield megabyte;
        }
      })(),
    );
    const heapBefore = process.memoryUsage().heapUsed;
    const error = await fileError(source);
    expect(error.reason).toMatch(/^a record is longer than 1 MiB/);
    expect(error.line).toBe(3);
    expect(bytesPulled).toBeLessThan(MAX_RECORD_SIZE + 2 * 1024 * 1024);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
  });

  it('passes errors of the source itself through untouched', async () => {
    const failure = new Error('connection reset');
    const source = new Readable({
      read() {
        this.push(Buffer.from(`${HEADER}\n${row('R1')}\n`));
        this.destroy(failure);
      },
    });
    await expect(
      (async () => {
        for await (const batch of readOrderLines(source, optionsWith())) void batch;
      })(),
    ).rejects.toBe(failure);
  });
});
