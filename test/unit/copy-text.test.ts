import { describe, expect, it } from '@jest/globals';
import { copyTextRow, copyTextValue } from '../../src/db/copy-text.ts';

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

  it('round-trips awkward text through a whole row, one line per row', () => {
    const values = ['Tea, 500g "Premium"', 'tab\there', null, 'back\\slash\\N', 'multi\r\nline', 7, '', 'Ünïcödé ✓'];
    const row = copyTextRow(values);
    expect(row.endsWith('\n')).toBe(true);
    expect(row.slice(0, -1)).not.toMatch(/[\n\r]/);
    expect(readCopyLine(row.slice(0, -1))).toEqual(values.map((value) => (typeof value === 'number' ? String(value) : value)));
  });

  it('keeps an empty string distinct from null', () => {
    expect(readCopyLine(copyTextRow(['', null]).slice(0, -1))).toEqual(['', null]);
  });
});
