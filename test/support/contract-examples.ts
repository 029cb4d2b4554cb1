import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The examples tables of docs/INPUT_CONTRACT.md, read so that tests can run each example through
 * the parser or the pipeline and hold the document to what PipeForge really prints.
 */

export const CONTRACT_HEADER =
  'order_ref,order_date,customer_email,customer_region,sku,product_name,category,quantity,unit_price,payment_method';

export type RowExample = { rule: string; line: string; column: string; message: string };
export type FileExample = { rule: string; content: Buffer; message: string; needsFiller: boolean };

const DOC_PATH = join(import.meta.dirname, '..', '..', 'docs', 'INPUT_CONTRACT.md');

export function readContractDoc(): string {
  return readFileSync(DOC_PATH, 'utf8');
}

export function rowExamples(doc = readContractDoc()): RowExample[] {
  return tableRows(doc, 'rows').map((cells) => {
    const [rule = '', line = '', column = '', message = ''] = cells;
    return { rule, line: unescapeText(codeSpan(line)), column: codeSpan(column), message: codeSpan(message) };
  });
}

export function fileExamples(doc = readContractDoc(), table: 'files' | 'pipeline' = 'files'): FileExample[] {
  return tableRows(doc, table).map((cells) => {
    const [rule = '', content = '', message = ''] = cells;
    const bytes = content.trim() === '(0 bytes)' ? Buffer.alloc(0) : unescapeBytes(codeSpan(content));
    return { rule, content: bytes, message: codeSpan(message), needsFiller: content.includes('plus enough valid rows') };
  });
}

function tableRows(doc: string, name: string): string[][] {
  const start = doc.indexOf(`<!-- examples:${name} -->`);
  const end = doc.indexOf(`<!-- /examples:${name} -->`);
  if (start < 0 || end < start) throw new Error(`docs/INPUT_CONTRACT.md has no examples:${name} table`);
  return doc
    .slice(start, end)
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .slice(2)
    .map((line) => splitCells(line));
}

/** Splits a table row on the pipes outside code spans, so that a message may hold a `|`. */
function splitCells(line: string): string[] {
  const cells: string[] = [];
  let current = '';
  let fence = 0;
  for (let i = 1; i < line.length; i += 1) {
    const char = line[i] ?? '';
    if (char === '`') {
      let run = 1;
      while (line[i + run] === '`') run += 1;
      fence = fence === 0 ? run : fence === run ? 0 : fence;
      current += '`'.repeat(run);
      i += run - 1;
    } else if (char === '|' && fence === 0) {
      cells.push(current.trim());
      current = '';
    } else {
      current += char;
    }
  }
  return cells;
}

/** The text of the first code span of a cell, by markdown's rule for spans fenced with `` ``. */
function codeSpan(cell: string): string {
  const match = /(`+)(.*?)\1/.exec(cell);
  if (match === null) throw new Error(`expected a code span in the cell: ${cell}`);
  const inner = match[2] ?? '';
  return inner.startsWith(' ') && inner.endsWith(' ') && inner.trim() !== '' ? inner.slice(1, -1) : inner;
}

function unescapeText(text: string): string {
  return text.replaceAll('\\0', '\u0000');
}

/** The notation the document explains: `\n`, `\xHH`, `<header>` and `{N × c}`. */
function unescapeBytes(text: string): Buffer {
  const expanded = text
    .replaceAll('<header>', CONTRACT_HEADER)
    .replace(/\{(\d+) × (.)\}/g, (_all, count: string, char: string) => char.repeat(Number(count)));
  const parts: Buffer[] = [];
  const pattern = /\\n|\\x([0-9A-F]{2})/g;
  let last = 0;
  for (const match of expanded.matchAll(pattern)) {
    parts.push(Buffer.from(expanded.slice(last, match.index), 'utf8'));
    parts.push(match[1] === undefined ? Buffer.from('\n') : Buffer.from([Number.parseInt(match[1], 16)]));
    last = match.index + match[0].length;
  }
  parts.push(Buffer.from(expanded.slice(last), 'utf8'));
  return Buffer.concat(parts);
}
