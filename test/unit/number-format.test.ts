import { describe, expect, it } from '@jest/globals';
import { formatAmount, formatCount } from '../../src/client/number-format.ts';
import { describeSummary } from '../../src/client/output.ts';
import { renderBarLine } from '../../src/client/progress/render-bar.ts';

describe('formatCount', () => {
  it('separates thousands and rounds', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(300000)).toBe('300,000');
    expect(formatCount(2147483647)).toBe('2,147,483,647');
    expect(formatCount(1234.6)).toBe('1,235');
  });
});

describe('formatAmount', () => {
  it('separates the whole part of an exact decimal, keeping every digit', () => {
    expect(formatAmount('745833111.43')).toBe('745,833,111.43');
    expect(formatAmount('0.30')).toBe('0.30');
    expect(formatAmount('999.99')).toBe('999.99');
    expect(formatAmount('1000')).toBe('1,000');
    expect(formatAmount('-1234567.5')).toBe('-1,234,567.5');
    expect(formatAmount('12345678901234567890.01')).toBe('12,345,678,901,234,567,890.01');
  });

  it('leaves anything that is not a plain decimal as it is', () => {
    expect(formatAmount('n/a')).toBe('n/a');
    expect(formatAmount('')).toBe('');
  });
});

describe('the same number, the same text, everywhere in the CLI', () => {
  it('prints the final line as the progress bar does', () => {
    const summary = {
      filename: 'orders.csv',
      status: 'completed',
      fileId: 'f-1',
      duplicateOf: null,
      rowsRead: 300000,
      rowsLoaded: 299988,
      rowsRejected: 12,
      aggregatedDays: 30,
      error: null,
    } as const;
    expect(describeSummary(summary)).toBe(
      'orders.csv: completed — 300,000 rows read, 299,988 loaded, 12 rejected, 30 days aggregated (file f-1)',
    );
    const loading = renderBarLine(
      { filename: 'orders.csv', stage: 'load', rowsRead: 300000, rowsLoaded: 0, rowsRejected: 12, rate: null, summary: null },
      { nameWidth: 10, barWidth: 24 },
    );
    expect(loading).toContain('300,000 rows');
  });
});
