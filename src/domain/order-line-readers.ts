import { isValidEmail, normalizeEmail } from './email.ts';
import { containsEmail } from './email-in-text.ts';
import { MAX_AMOUNT, parseQuantity, parseUnitPrice } from './money.ts';
import { rememberLast, rememberMany } from './memo.ts';
import { readOrderDate } from './order-date.ts';
import { parsedFail, parsedOk, type Parsed } from './parsed.ts';
import { normalizePaymentMethod, type PaymentMethod } from './payment-method.ts';
import { parseOptionalText, parseRequiredText } from './text-field.ts';

const MAX_REF_CHARACTERS = 64;
const MAX_REMEMBERED_PAYMENT_SPELLINGS = 1_000;

/** What reading a file's lines needs to know besides the lines. */
export type OrderLineContext = {
  /** IANA zone for order dates written without an offset. */
  sourceTimeZone: string;
  /** Keyed hash of a normalized email (see createEmailHasher). */
  hashEmail: (normalizedEmail: string) => string;
};

export const SUBTOTAL_TOO_LARGE = `quantity × unit_price is above ${MAX_AMOUNT}, the largest amount that can be stored`;

/**
 * One reader per contract column: the rules of the contract, each turning a raw value into its
 * typed value or a reason. A reader's result may be shared between rows (memo.ts): callers must
 * not mutate it.
 */
export function createColumnReaders(context: OrderLineContext) {
  return {
    order_ref: storableText('order_ref', (raw: string) => parseRequiredText('order_ref', raw, MAX_REF_CHARACTERS)),
    order_date: rememberLast((raw: string) => readOrderDate(raw, context.sourceTimeZone)),
    // Only the last address: hashEmail keeps every customer's hash already (createEmailHasher),
    // and a second map keyed by the raw text held each customer twice in every parse thread.
    customer_email: rememberLast(readEmailHash(context.hashEmail)),
    customer_region: storableText('customer_region', (raw: string): Parsed<string | null> => parsedOk(parseOptionalText(raw))),
    sku: storableText('sku', (raw: string) => parseRequiredText('sku', raw, MAX_REF_CHARACTERS)),
    product_name: storableText('product_name', (raw: string) => parseRequiredText('product_name', raw)),
    category: storableText('category', (raw: string) => parseRequiredText('category', raw)),
    quantity: parseQuantity,
    unit_price: parseUnitPrice,
    payment_method: rememberLast(rememberMany(readPaymentMethod, MAX_REMEMBERED_PAYMENT_SPELLINGS)),
  };
}

export type ColumnReaders = ReturnType<typeof createColumnReaders>;

function readEmailHash(hashEmail: OrderLineContext['hashEmail']): (raw: string) => Parsed<string> {
  return (raw) => {
    const email = normalizeEmail(raw);
    // Never quote the value: this column is the one that is always PII.
    if (email === '') return parsedFail('customer_email is empty');
    if (!isValidEmail(email)) return parsedFail('customer_email is not a valid address');
    return parsedOk(hashEmail(email));
  };
}

/** NUL, '@' and the full-width and small forms of '@'. */
const SUSPECT_CHARACTERS = /[\u0000@\uFF20\uFE6B]/;

/**
 * The text columns are stored as written. An email in one of them (a shifted or swapped column)
 * would reach the database in plain text, and PostgreSQL cannot store a NUL character at all
 * (the insert would fail on every retry): such a row is refused, the value never quoted.
 */
function storableText<T>(column: string, read: (raw: string) => Parsed<T>): (raw: string) => Parsed<T> {
  return (raw) => {
    const parsed = read(raw);
    // One scan settles the usual case, a value with neither an '@' nor a NUL.
    if (!parsed.ok || !SUSPECT_CHARACTERS.test(raw)) return parsed;
    if (raw.includes('\u0000')) return parsedFail(`${column} contains a NUL character, which cannot be stored`);
    if (containsEmail(raw)) {
      return parsedFail(`${column} holds an email address (are the columns shifted?); emails belong only in customer_email`);
    }
    return parsed;
  };
}

function readPaymentMethod(raw: string): Parsed<PaymentMethod> {
  if (raw.trim() === '') return parsedFail('payment_method is empty');
  return parsedOk(normalizePaymentMethod(raw));
}
