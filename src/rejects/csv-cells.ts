/**
 * Characters that make a spreadsheet read a cell as a formula (or, for tab and CR, that some
 * spreadsheets strip before doing so). The report quotes lines a stranger wrote; opened in a
 * spreadsheet, `=HYPERLINK(...)` must stay text.
 */
const FORMULA_PREFIX = /^[=+\-@\t\r]/;

/** A cell that a spreadsheet shows as text: a leading formula character gets a single quote before it. */
export function neutralizeFormula(value: string): string {
  return FORMULA_PREFIX.test(value) ? `'${value}` : value;
}

/** RFC 4180: a cell with a comma, quote or line break is quoted, its quotes doubled. */
export function csvCell(value: string): string {
  const safe = neutralizeFormula(value);
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** One CSV row, CRLF-terminated as RFC 4180 asks (spreadsheets read either). */
export function csvRow(values: readonly (string | number)[]): string {
  return `${values.map((value) => csvCell(String(value))).join(',')}\r\n`;
}
