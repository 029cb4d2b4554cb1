/**
 * Reject reasons end up in the database, in logs and in the Temporal UI, so a value quoted in one
 * must not leak a customer's email. Columns can be shifted by a stray comma, which puts an email
 * anywhere in a row: every quoted value goes through here, whatever its column.
 */

const MAX_SHOWN_CHARACTERS = 40;

/** '@' plus its full-width and small compatibility forms, which render like it. */
const AT_SIGNS = /[@\uFF20\uFE6B]/;

export const HIDDEN_EMAIL_LIKE_VALUE = '(a value that looks like an email address, not shown)';

/** A value safe to show: masked when it could be an email, otherwise cut to 40 characters. */
export function displayValue(raw: string): string {
  if (AT_SIGNS.test(raw)) return HIDDEN_EMAIL_LIKE_VALUE;
  const characters = Array.from(raw);
  if (characters.length <= MAX_SHOWN_CHARACTERS) return raw;
  return `${characters.slice(0, MAX_SHOWN_CHARACTERS).join('')}…`;
}

/** `displayValue` in double quotes, with control characters escaped so a reason stays one line. */
export function quoteValue(raw: string): string {
  const shown = displayValue(raw);
  return shown === HIDDEN_EMAIL_LIKE_VALUE ? shown : JSON.stringify(shown);
}
