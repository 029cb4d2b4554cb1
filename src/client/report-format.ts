import type { ReportDimension, SalesReport } from '../db/sales-report-by.ts';
import { formatAmount, formatCount } from './number-format.ts';

/*
 * `pipeforge report` output in three forms. Revenue stays the exact decimal string the database
 * computed; charts scale it in integer cents, so no float ever touches money.
 */

export const REPORT_FORMATS = ['table', 'csv', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

type ReportRecord = { [column: string]: string | number };

const KEY_COLUMN: { [D in ReportDimension]: string } = {
  day: 'day',
  category: 'category',
  payment: 'payment',
  product: 'sku',
};

/** One flat record per group: the key column(s), then revenue, units, orders, customers. */
export function reportRecords(report: SalesReport): ReportRecord[] {
  return report.rows.map((row) => ({
    [KEY_COLUMN[report.by]]: row.key,
    ...(report.by === 'product' ? { product: row.label ?? '' } : {}),
    revenue: row.revenue,
    units: row.units,
    orders: row.orders,
    customers: row.customers,
  }));
}

function reportColumns(by: ReportDimension): string[] {
  return [KEY_COLUMN[by], ...(by === 'product' ? ['product'] : []), 'revenue', 'units', 'orders', 'customers'];
}

export function formatReport(report: SalesReport, format: ReportFormat): string {
  switch (format) {
    case 'csv':
      return formatReportCsv(report);
    case 'json':
      return formatReportJson(report);
    case 'table':
      return formatReportTable(report);
  }
}

/** RFC 4180: a field holding a comma, a quote, a line break or edge spaces is quoted, quotes doubled. */
export function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A header and one line per group, CRLF-terminated as RFC 4180 has it. Totals are in table and JSON. */
export function formatReportCsv(report: SalesReport): string {
  const columns = reportColumns(report.by);
  const lines = [columns, ...reportRecords(report).map((record) => columns.map((column) => record[column] ?? ''))];
  return lines.map((fields) => fields.map(csvField).join(',')).join('\r\n') + '\r\n';
}

export function formatReportJson(report: SalesReport): string {
  const { from, to, by, timeZone, total, dailyRevenue } = report;
  return `${JSON.stringify({ from, to, by, timeZone, rows: reportRecords(report), total, dailyRevenue }, null, 2)}\n`;
}

/** Integer cents of a decimal string such as '-12.5' or '1234.56'. */
export function toCents(decimal: string): bigint {
  const match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(decimal.trim());
  if (!match) throw new RangeError(`${JSON.stringify(decimal)} is not a decimal amount with at most 2 places`);
  const [, sign, whole, fraction = ''] = match;
  const cents = BigInt(whole ?? '0') * 100n + BigInt(fraction.padEnd(2, '0'));
  return sign === '-' ? -cents : cents;
}

const SPARK_LEVELS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
const MAX_SPARK_WIDTH = 60;

/**
 * One character per day (per group of days beyond 60 days, each the sum of its days), its height
 * proportional to revenue; a day without sales is a space, so gaps show, and any sale is at least ▁.
 */
export function sparkline(amounts: readonly string[]): string {
  const perChar = Math.max(1, Math.ceil(amounts.length / MAX_SPARK_WIDTH));
  const buckets: bigint[] = [];
  amounts.forEach((amount, index) => {
    const bucket = Math.floor(index / perChar);
    buckets[bucket] = (buckets[bucket] ?? 0n) + toCents(amount);
  });
  const max = buckets.reduce((a, b) => (b > a ? b : a), 0n);
  return buckets
    .map((cents) => {
      if (cents <= 0n || max === 0n) return ' ';
      const level = Number((cents * BigInt(SPARK_LEVELS.length - 1)) / max);
      return SPARK_LEVELS[level] ?? '█';
    })
    .join('');
}

const BAR_WIDTH = 30;

/** A horizontal bar proportional to `amount / max`, at least one block for any sale. */
export function bar(amount: string, max: string): string {
  const cents = toCents(amount);
  const top = toCents(max);
  if (cents <= 0n || top <= 0n) return '';
  return '█'.repeat(Math.max(1, Number((cents * BigInt(BAR_WIDTH)) / top)));
}

/** An aligned table (text left, numbers and money right), a total line, and daily revenue as a sparkline. */
export function formatReportTable(report: SalesReport): string {
  const columns = reportColumns(report.by);
  const records = reportRecords(report);
  const maxRevenue = report.rows.reduce((max, row) => (toCents(row.revenue) > toCents(max) ? row.revenue : max), '0');
  if (report.by === 'day') {
    for (const record of records) record.revenue_chart = bar(String(record.revenue), maxRevenue);
    columns.push('revenue_chart');
  }
  const total: ReportRecord = {
    [KEY_COLUMN[report.by]]: 'total',
    revenue: report.total.revenue,
    units: report.total.units,
    orders: report.total.orders,
    customers: report.total.customers,
  };
  const rightAligned = new Set(['revenue', 'units', 'orders', 'customers']);
  // Separators for a reader of the table only; csv and json keep the exact figures.
  const cell = (record: ReportRecord, column: string) => {
    const value = record[column] ?? '';
    if (typeof value === 'number') return formatCount(value);
    return column === 'revenue' ? formatAmount(value) : value;
  };
  const widths = columns.map((column) => Math.max(column.length, ...[...records, total].map((r) => cell(r, column).length)));
  const render = (values: string[]) =>
    values
      .map((value, index) => (rightAligned.has(columns[index] ?? '') ? value.padStart(widths[index] ?? 0) : value.padEnd(widths[index] ?? 0)))
      .join('  ')
      .trimEnd();
  const rule = render(widths.map((width) => '-'.repeat(width)));

  const lines = [
    `Sales ${report.from}..${report.to} by ${report.by} (business days in ${report.timeZone})`,
    '',
    render(columns),
    rule,
    ...(records.length === 0 ? ['(no sales in this range)'] : records.map((record) => render(columns.map((c) => cell(record, c))))),
    rule,
    render(columns.map((c) => cell(total, c))),
    '',
    `daily revenue  ${report.from} ${sparkline(report.dailyRevenue.map((day) => day.revenue))} ${report.to}`,
  ];
  const perChar = Math.ceil(report.dailyRevenue.length / MAX_SPARK_WIDTH);
  if (perChar > 1) lines.push(`               (one character per ${perChar} days)`);
  lines.push('orders and customers are distinct counts: a group or the total is not the sum of the lines above it');
  return `${lines.join('\n')}\n`;
}
