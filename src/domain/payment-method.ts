/** The values of the `payment_method` database enum. */
export const PAYMENT_METHODS = ['mpesa', 'paystack', 'card', 'bank_transfer', 'other'] as const;

export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/** Spellings after lower-casing and dropping spaces, '-' and '_' (the contract's table). */
const KNOWN_SPELLINGS: ReadonlyMap<string, PaymentMethod> = new Map<string, PaymentMethod>([
  ['mpesa', 'mpesa'],
  ['paystack', 'paystack'],
  ['card', 'card'],
  ['creditcard', 'card'],
  ['debitcard', 'card'],
  ['banktransfer', 'bank_transfer'],
  ['bank', 'bank_transfer'],
  ['eft', 'bank_transfer'],
]);

const IGNORED_CHARACTERS = /[\s_-]+/g;

/**
 * Maps an export's spelling to the enum. Anything unrecognised is `other` rather than a reject:
 * a new wallet in an export should not stop a file. An empty value is not a payment method at
 * all; its column reader rejects it before calling this.
 */
export function normalizePaymentMethod(raw: string): PaymentMethod {
  return KNOWN_SPELLINGS.get(raw.toLowerCase().replace(IGNORED_CHARACTERS, '')) ?? 'other';
}
