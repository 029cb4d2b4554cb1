import { isValidEmail, normalizeEmail } from './email.ts';

/** '@' and the full-width and small forms that render like it. */
const AT_SIGNS = /[@\uFF20\uFE6B]/;
const OTHER_AT_SIGNS = /[\uFF20\uFE6B]/g;
const SEPARATORS = /[\s,;:<>()[\]{}"']+/;
/** Real addresses end in a top-level domain of letters; "Tea@2.5kg" is a product, not an address. */
const LETTER_TLD = /\.\p{L}{2,}$/u;

/**
 * Whether a free-text value holds an email address anywhere in it. A customer's email outside
 * customer_email is almost always a shifted or swapped column, and storing it would put the
 * address in plain text in the database; only values with an '@' are looked at closely.
 */
export function containsEmail(text: string): boolean {
  if (!AT_SIGNS.test(text)) return false;
  return text
    .replace(OTHER_AT_SIGNS, '@')
    .split(SEPARATORS)
    .some((token) => token.includes('@') && LETTER_TLD.test(token) && isValidEmail(normalizeEmail(token)));
}
