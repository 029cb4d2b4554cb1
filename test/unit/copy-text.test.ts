import { describe, expect, it } from '@jest/globals';
import { copyTextValue } from '../../src/db/copy-text.ts';
import { stagingCopyText } from '../../src/db/staging-copy.ts';
import type { NumberedOrderLine } from '../../src/domain/csv-order-lines.ts';

/** The inverse of COPY's text format, as PostgreSQL reads a line: the reference the encoder must meet. */
function readCopyLine(line: string): Array<string | null> {
  return line.split('\t').map((field) =>
    field === '\\N'
      ? null
      : field.replace(/\\(.)/g, (_, escaped: string) => ({ t: '\t', n: '\n', r: '\r', '\\': '\\' })[escaped] ?? escaped),
  );
}

describe('COPY text encoding', () => {
  it('writes null as \\N and numbers as their decimal text', () => {
    expect(copyTextValue(null)).toBe('\\N');
    expect(copyTextValue(42)).toBe('42');
    expect(copyTextValue('1200.50')).toBe('1200.50');
  });

  it('escapes the characters that would split a row or a column', () => {
    expect(copyTextValue('a\tb')).toBe('a\\tb');
    expect(copyTextValue('line one\nline two\r')).toBe('line one\\nline two\\r');
    expect(copyTextValue('C:\\exports\\N')).toBe('C:\\\\exports\\\\N');
  });

  const fileId = '01a23764-1ff8-75d6-88b6-ada6a7f48310';
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
  const rows = (text: string) => text.slice(0, -1).split('\n').map(readCopyLine);

  it('round-trips awkward text in every free-text column of a staged line, one line per row', () => {
    const awkward = line(7, {
      orderRef: 'tab\there',
      customerRegion: null,
      sku: 'back\\slash\\N',
      productName: 'Tea, 500g "Premium"\r\nsecond line',
      category: 'Ünïcödé ✓',
    });
    const text = stagingCopyText(fileId, [awkward, line(8, { customerRegion: '' })]);
    expect(text.endsWith('\n')).toBe(true);
    expect(text.split('\n')).toHaveLength(3);
    expect(rows(text)).toEqual([
      [fileId, '7', 'tab\there', '2026-09-05T13:31:13.038Z', 'ab'.repeat(32), null, 'back\\slash\\N',
        'Tea, 500g "Premium"\r\nsecond line', 'Ünïcödé ✓', '2', '1200.50', 'card'],
      // An empty region stays distinct from an unknown one.
      [fileId, '8', 'ORD-1', '2026-09-05T13:31:13.038Z', 'ab'.repeat(32), '', 'SKU-1', 'Kettle', 'Home', '2', '1200.50', 'card'],
    ]);
  });

  it('renders each line with its own date when adjacent lines share or change it', () => {
    const dates = ['2026-09-05T13:31:13.038Z', '2026-09-05T13:31:13.038Z', '2026-09-06T00:00:00.000Z', '2026-09-05T13:31:13.038Z'];
    const text = stagingCopyText(fileId, dates.map((date, index) => line(index + 2, { orderDate: new Date(date) })));
    expect(rows(text).map((row) => row[3])).toEqual(dates);
  });
});
