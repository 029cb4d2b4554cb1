import { describe, expect, it } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import { bar, csvField, formatReportCsv, formatReportJson, formatReportTable, sparkline, toCents } from '../../src/client/report-format.ts';
import type { SalesReport } from '../../src/db/sales-report-by.ts';

const report: SalesReport = {
  from: '2026-10-01',
  to: '2026-10-03',
  by: 'product',
  timeZone: 'Africa/Nairobi',
  rows: [
    { key: 'SKU-1', label: 'Kettle "Deluxe", 2L', revenue: '1999.99', units: 1, orders: 1, customers: 1 },
    { key: 'SKU-2', label: 'Tea\nleaves', revenue: '0.30', units: 3, orders: 2, customers: 1 },
    { key: 'SKU-3', label: ' padded ', revenue: '12345678901234.05', units: 7, orders: 3, customers: 2 },
  ],
  total: { revenue: '12345678903234.34', units: 11, orders: 4, customers: 2 },
  dailyRevenue: [
    { date: '2026-10-01', revenue: '100.00' },
    { date: '2026-10-02', revenue: '0.00' },
    { date: '2026-10-03', revenue: '0.01' },
  ],
};

describe('csvField', () => {
  it('quotes commas, quotes, line breaks and edge spaces, and nothing else', () => {
    expect(csvField('plain text')).toBe('plain text');
    expect(csvField(42)).toBe('42');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField(' lead')).toBe('" lead"');
  });
});

describe('formatReportCsv', () => {
  it('reads back field for field, with CRLF record ends and exact decimals', () => {
    const text = formatReportCsv(report);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(parse(text)).toEqual([
      ['sku', 'product', 'revenue', 'units', 'orders', 'customers'],
      ['SKU-1', 'Kettle "Deluxe", 2L', '1999.99', '1', '1', '1'],
      ['SKU-2', 'Tea\nleaves', '0.30', '3', '2', '1'],
      ['SKU-3', ' padded ', '12345678901234.05', '7', '3', '2'],
    ]);
  });

  it('has only the key column for other groupings', () => {
    const byDay = formatReportCsv({ ...report, by: 'day', rows: [{ key: '2026-10-01', label: null, revenue: '1999.99', units: 1, orders: 1, customers: 1 }] });
    expect(byDay).toBe('day,revenue,units,orders,customers\r\n2026-10-01,1999.99,1,1,1\r\n');
  });
});

describe('formatReportJson', () => {
  it('keeps revenue a string, beyond what a float holds', () => {
    const json = JSON.parse(formatReportJson(report)) as { rows: Array<{ revenue: unknown }>; total: { revenue: unknown } };
    expect(json.rows.map((row) => row.revenue)).toEqual(['1999.99', '0.30', '12345678901234.05']);
    expect(json.total.revenue).toBe('12345678903234.34');
  });
});

describe('toCents', () => {
  it('parses exact decimals into integer cents', () => {
    expect(toCents('0')).toBe(0n);
    expect(toCents('0.3')).toBe(30n);
    expect(toCents('12345678901234.05')).toBe(1234567890123405n);
    expect(toCents('-1.25')).toBe(-125n);
    expect(() => toCents('1.234')).toThrow(RangeError);
    expect(() => toCents('1e3')).toThrow(RangeError);
  });
});

describe('sparkline', () => {
  it('scales to the largest day, shows empty days as gaps and any sale as at least the lowest block', () => {
    expect(sparkline(['100.00', '0.00', '0.01', '50.00'])).toBe('█ ▁▄');
    expect(sparkline(['0.00', '0.00'])).toBe('  ');
  });

  it('sums days into one character each beyond 60 days', () => {
    const days = Array.from({ length: 120 }, (_, index) => (index % 2 === 0 ? '1.00' : '0.00'));
    expect(sparkline(days)).toBe('█'.repeat(60));
  });
});

describe('bar', () => {
  it('is proportional, at least one block for a sale, empty for none', () => {
    expect(bar('50.00', '100.00')).toBe('█'.repeat(15));
    expect(bar('0.01', '100.00')).toBe('█');
    expect(bar('0.00', '100.00')).toBe('');
  });
});

describe('formatReportTable', () => {
  it('aligns money and counts to the right and ends with the total and the chart', () => {
    const lines = formatReportTable({ ...report, rows: report.rows.slice(0, 2), total: { revenue: '2000.29', units: 4, orders: 2, customers: 1 } }).split('\n');
    expect(lines[0]).toBe('Sales 2026-10-01..2026-10-03 by product (business days in Africa/Nairobi)');
    const header = lines[2] ?? '';
    const row = lines[4] ?? '';
    const total = lines.find((line) => line.startsWith('total')) ?? '';
    // Right-aligned: each value ends where its header ends.
    for (const [column, value] of [['revenue', '1,999.99'], ['customers', '1']] as const) {
      const end = header.indexOf(column) + column.length;
      expect(row.slice(end - value.length, end)).toBe(value);
    }
    expect(total.slice(header.indexOf('revenue') + 'revenue'.length - 8, header.indexOf('revenue') + 'revenue'.length)).toBe('2,000.29');
    expect(lines).toContain('daily revenue  2026-10-01 █ ▁ 2026-10-03');
  });

  it('separates thousands in revenue and counts, leaving the decimals exact', () => {
    const text = formatReportTable(report);
    const sku3 = text.split('\n').find((line) => line.startsWith('SKU-3')) ?? '';
    expect(sku3).toMatch(/ padded +12,345,678,901,234\.05 +7 +3 +2$/);
    const total = text.split('\n').find((line) => line.startsWith('total')) ?? '';
    expect(total).toMatch(/ 12,345,678,903,234\.34 +11 +4 +2$/);
    const big = formatReportTable({
      ...report,
      by: 'day',
      rows: [{ key: '2026-10-01', label: null, revenue: '745833111.43', units: 300000, orders: 1234, customers: 999 }],
      total: { revenue: '745833111.43', units: 300000, orders: 1234, customers: 999 },
    });
    expect(big).toMatch(/^2026-10-01 +745,833,111\.43 +300,000 +1,234 +999 +█+$/m);
  });

  it('keeps csv and json exact, without separators', () => {
    const byDay: SalesReport = {
      ...report,
      by: 'day',
      rows: [{ key: '2026-10-01', label: null, revenue: '745833111.43', units: 300000, orders: 1234, customers: 999 }],
      total: { revenue: '745833111.43', units: 300000, orders: 1234, customers: 999 },
    };
    expect(formatReportCsv(byDay)).toBe('day,revenue,units,orders,customers\r\n2026-10-01,745833111.43,300000,1234,999\r\n');
    expect(JSON.parse(formatReportJson(byDay))).toMatchObject({
      rows: [{ day: '2026-10-01', revenue: '745833111.43', units: 300000, orders: 1234, customers: 999 }],
      total: { revenue: '745833111.43', units: 300000 },
    });
  });

  it('says so when nothing sold', () => {
    const text = formatReportTable({ ...report, by: 'day', rows: [], total: { revenue: '0.00', units: 0, orders: 0, customers: 0 } });
    expect(text).toContain('(no sales in this range)');
  });
});
