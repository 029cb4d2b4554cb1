import { parsedFail, parsedOk, type Parsed } from './parsed.ts';
import { quoteValue } from './quote-value.ts';

/**
 * Reads a required free-text column: trimmed, non-empty and, when a limit is given, at most that
 * many characters. Characters are code points, as PostgreSQL counts them, not UTF-16 units.
 */
export function parseRequiredText(column: string, raw: string, maxCharacters?: number): Parsed<string> {
  const text = raw.trim();
  if (text === '') return parsedFail(`${column} is empty`);
  if (maxCharacters !== undefined && text.length > maxCharacters) {
    const characters = countCodePoints(text);
    if (characters > maxCharacters) {
      return parsedFail(
        `${column} ${quoteValue(text)} is ${characters} characters long; the limit is ${maxCharacters}`,
      );
    }
  }
  return parsedOk(text);
}

/** An optional column: trimmed, and empty (or absent from the header) means unknown. */
export function parseOptionalText(raw: string | undefined): string | null {
  const text = raw?.trim() ?? '';
  return text === '' ? null : text;
}

function countCodePoints(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}
