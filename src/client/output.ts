import type { IngestSummary } from '../workflows/ingest-file-contract.ts';
import { formatCount } from './number-format.ts';

/**
 * The CLI's user-facing output. Library code logs through pino; the CLI prints for a person (or,
 * with --json, for a script) on stdout, and reports problems on stderr.
 */
export const out = {
  line(text = ''): void {
    process.stdout.write(`${text}\n`);
  },
  json(value: unknown): void {
    process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  },
  error(text: string): void {
    process.stderr.write(`${text}\n`);
  },
};

/** A plain aligned table: numbers right-aligned, text left-aligned. */
export function formatTable(rows: ReadonlyArray<Record<string, string | number | null>>): string {
  const first = rows[0];
  if (!first) return '(no rows)';
  const columns = Object.keys(first);
  const cell = (value: string | number | null | undefined) => (value === null || value === undefined ? '' : String(value));
  const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => cell(row[column]).length)));
  const render = (values: Array<string | number | null | undefined>) =>
    values
      .map((value, index) => {
        const width = widths[index] ?? 0;
        return typeof value === 'number' ? cell(value).padStart(width) : cell(value).padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [render(columns), render(widths.map((width) => '-'.repeat(width))), ...rows.map((row) => render(columns.map((c) => row[c])))].join(
    '\n',
  );
}

export function describeSummary(summary: IngestSummary): string {
  switch (summary.status) {
    case 'duplicate':
      return `${summary.filename}: duplicate of file ${summary.duplicateOf} (already ingested; nothing changed)`;
    case 'failed':
      return `${summary.filename}: FAILED — ${summary.error ?? 'unknown error'} (file ${summary.fileId})`;
    default:
      return (
        `${summary.filename}: ${summary.status} — ${formatCount(summary.rowsRead)} rows read, ` +
        `${formatCount(summary.rowsLoaded)} loaded, ${formatCount(summary.rowsRejected)} rejected, ` +
        `${formatCount(summary.aggregatedDays)} days aggregated (file ${summary.fileId})`
      );
  }
}
