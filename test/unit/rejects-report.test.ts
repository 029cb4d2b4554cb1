import { describe, expect, it } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import { Readable } from 'node:stream';
import { csvCell, csvRow, neutralizeFormula } from '../../src/rejects/csv-cells.ts';
import { MAX_ORIGINAL_CHARACTERS, readRawRecords, type RawRecord } from '../../src/rejects/raw-records.ts';
import { readOrderLines } from '../../src/domain/csv-order-lines.ts';
import { createEmailHasher } from '../../src/domain/email.ts';

async function records(content: string | Buffer, chunkSize = 1 << 20): Promise<RawRecord[]> {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  const chunks: Buffer[] = [];
  for (let start = 0; start < bytes.length; start += chunkSize) chunks.push(bytes.subarray(start, start + chunkSize));
  const result: RawRecord[] = [];
  for await (const record of readRawRecords(Readable.from(chunks))) result.push(record);
  return result;
}

describe('rejects report cells', () => {
  it.each(['=HYPERLINK("http://x","y")', '+1', '-1', '@SUM(A1)', '\tx', '\rx'])('neutralises the formula prefix of %j', (value) => {
    expect(neutralizeFormula(value)).toBe(`'${value}`);
  });

  it('leaves ordinary text alone, also a formula character later in the cell', () => {
    expect(neutralizeFormula('ORD-1')).toBe('ORD-1');
    expect(neutralizeFormula('a=b')).toBe('a=b');
    expect(neutralizeFormula('')).toBe('');
  });

  it('quotes cells with commas, quotes and line breaks, doubling the quotes', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('=1+2,3')).toBe(`"'=1+2,3"`);
  });

  it('writes rows that a CSV reader reads back to the same (neutralised) values', () => {
    const values = ['12', 'quantity "abc" is not a whole number ≥ 1', 'A,"quoted, with comma",=cmd|x\r\nnext'];
    const text = csvRow(values) + csvRow(['-5', '@x', 'plain']);
    expect(parse(text, { relax_column_count: false })).toEqual([
      ['12', 'quantity "abc" is not a whole number ≥ 1', 'A,"quoted, with comma",=cmd|x\r\nnext'],
      ["'-5", "'@x", 'plain'],
    ]);
  });
});

describe('readRawRecords', () => {
  it('numbers records by the physical line they start on, keeping multi-line fields whole', async () => {
    const text = 'h1,h2\n"a\nb",1\n\nplain,2\n"x ""q""\n\ny",3\nlast,4';
    expect(await records(text)).toEqual([
      { lineNumber: 1, text: 'h1,h2' },
      { lineNumber: 2, text: '"a\nb",1' },
      { lineNumber: 4, text: '' },
      { lineNumber: 5, text: 'plain,2' },
      { lineNumber: 6, text: '"x ""q""\n\ny",3' },
      { lineNumber: 9, text: 'last,4' },
    ]);
  });

  it('drops the CR of CRLF endings and a byte-order mark, whatever the chunks', async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('h\r\nJosé,"a\r\nb"\r\nz\r\n', 'utf8')]);
    const expected = [
      { lineNumber: 1, text: 'h' },
      { lineNumber: 2, text: 'José,"a\r\nb"' },
      { lineNumber: 4, text: 'z' },
    ];
    expect(await records(bytes)).toEqual(expected);
    expect(await records(bytes, 1)).toEqual(expected);
  });

  it('agrees with the parser on the line numbers of rows', async () => {
    const header = 'order_ref,order_date,customer_email,customer_region,sku,product_name,category,quantity,unit_price,payment_method';
    const text = [
      header,
      'A,2026-01-01,a@x.io,,S,"Tea\n500g",C,1,1,mpesa',
      '',
      'B,2026-01-01,b@x.io,,S,"say ""hi""",C,0,1,mpesa',
      'C,2026-01-01,c@x.io,,S,"x\r\ny\nz",C,1,1,mpesa',
      'D,2026-01-01,d@x.io,,S,T,C,abc,1,mpesa',
    ].join('\r\n');
    const hashEmail = createEmailHasher('raw-records-test-key-0123456789');
    const parsed: number[] = [];
    for await (const batch of readOrderLines(Readable.from([Buffer.from(text)]), {
      filename: 'x.csv',
      sourceTimeZone: 'UTC',
      hashEmail,
      batchSize: 100,
    })) {
      parsed.push(...batch.lines.map((line) => line.lineNumber), ...batch.rejects.map((reject) => reject.lineNumber));
    }
    const raw = (await records(text)).filter((record) => record.text !== '');
    expect(raw.slice(1).map((record) => record.lineNumber)).toEqual([...new Set(parsed)].sort((a, b) => a - b));
    expect(raw.find((record) => record.lineNumber === 5)?.text).toBe('B,2026-01-01,b@x.io,,S,"say ""hi""",C,0,1,mpesa');
  });

  it('cuts a very long record instead of holding all of it', async () => {
    const long = 'x'.repeat(MAX_ORIGINAL_CHARACTERS * 3);
    const [, record] = await records(`h\n${long},1\nnext\n`, 4096);
    expect(record?.text.length).toBe(MAX_ORIGINAL_CHARACTERS);
    expect((await records(`h\n${long},1\nnext\n`, 4096)).at(-1)).toEqual({ lineNumber: 3, text: 'next' });
  });
});
