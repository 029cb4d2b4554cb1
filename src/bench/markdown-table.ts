export type Alignment = 'left' | 'right';

/**
 * A Markdown table padded to equal widths, so the same text reads well in a terminal and renders
 * in a Markdown viewer. Pipes inside cells are escaped.
 */
export function markdownTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>, align: readonly Alignment[] = []): string {
  const escape = (cell: string) => cell.replaceAll('|', '\\|');
  const body = rows.map((row) => header.map((_, index) => escape(row[index] ?? '')));
  const head = header.map(escape);
  const widths = head.map((cell, index) => Math.max(3, cell.length, ...body.map((row) => (row[index] ?? '').length)));
  const pad = (cell: string, index: number) =>
    align[index] === 'right' ? cell.padStart(widths[index] ?? 0) : cell.padEnd(widths[index] ?? 0);
  const line = (cells: readonly string[]) => `| ${cells.map(pad).join(' | ')} |`;
  const rule = `| ${widths.map((width, index) => (align[index] === 'right' ? `${'-'.repeat(width - 1)}:` : '-'.repeat(width))).join(' | ')} |`;
  return [line(head), rule, ...body.map(line)].join('\n');
}
