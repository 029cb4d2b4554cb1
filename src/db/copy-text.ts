/**
 * PostgreSQL's COPY text format: one line per row, columns separated by tabs, `\N` for null.
 * A backslash, tab, line feed or carriage return inside a value is written as its escape, so
 * any text survives the trip byte for byte.
 */
const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

export type CopyValue = string | number | null;

export function copyTextValue(value: CopyValue): string {
  if (value === null) return '\\N';
  if (typeof value === 'number') return String(value);
  // Most values need no escape: one scan, no copy.
  return NEEDS_ESCAPE.test(value) ? value.replace(/[\\\t\n\r]/g, (character) => ESCAPES[character] ?? character) : value;
}
