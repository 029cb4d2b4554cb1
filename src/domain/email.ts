import { createHmac } from 'node:crypto';

/** The contract's normalization: the hash identifies a customer across files and exporters. */
export function normalizeEmail(raw: string): string {
  return raw.trim().toLowerCase();
}

/*
 * A syntactic check, not deliverability: the address is only ever hashed, so the aim is to refuse
 * values that are plainly not addresses (a name, a phone number, a shifted column), not to
 * implement all of RFC 5322. The rule, on the normalized value:
 * - at most 254 characters (RFC 5321's path limit) and no whitespace;
 * - exactly one '@';
 * - a local part of 1–64 characters in dot-atom form: letters, digits (any script, RFC 6531) and
 *   !#$%&'*+/=?^_`{|}~- in runs separated by single dots. Quoted local parts ("a b"@x.com) are
 *   refused: no real shop export contains them;
 * - a domain of at least two labels separated by dots, 253 characters at most; each label 1–63
 *   letters, digits or inner hyphens; the last label not all digits (so no bare IP addresses).
 */
const MAX_ADDRESS_LENGTH = 254;
const MAX_LOCAL_LENGTH = 64;
const MAX_DOMAIN_LENGTH = 253;
const LOCAL_PART = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(?:\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*$/u;
const DOMAIN_LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{M}\p{N}-]{0,61}[\p{L}\p{M}\p{N}])?$/u;
const ALL_DIGITS = /^\d+$/;

export function isValidEmail(normalized: string): boolean {
  if (normalized.length === 0 || normalized.length > MAX_ADDRESS_LENGTH) return false;
  const at = normalized.indexOf('@');
  if (at <= 0 || at !== normalized.lastIndexOf('@')) return false;
  const local = normalized.slice(0, at);
  const domain = normalized.slice(at + 1);
  if (local.length > MAX_LOCAL_LENGTH || !LOCAL_PART.test(local)) return false;
  if (domain.length > MAX_DOMAIN_LENGTH) return false;
  const labels = domain.split('.');
  if (labels.length < 2) return false;
  for (const label of labels) {
    if (!DOMAIN_LABEL.test(label)) return false;
  }
  return !ALL_DIGITS.test(labels[labels.length - 1] ?? '');
}

/** Enough for the distinct customers of any realistic file, small enough to bound memory. */
const MAX_CACHED_HASHES = 200_000;

/**
 * Hex HMAC-SHA-256 of an already normalized address, keyed so that hashes cannot be reversed by
 * hashing a list of known addresses. Customers repeat throughout a file, so results are cached;
 * the cache is dropped whole when full, which is cheaper than LRU bookkeeping on every row.
 */
export function createEmailHasher(key: string): (normalizedEmail: string) => string {
  if (key.length === 0) throw new Error('the email hash key must not be empty');
  const cache = new Map<string, string>();
  return (normalizedEmail) => {
    const cached = cache.get(normalizedEmail);
    if (cached !== undefined) return cached;
    const hash = createHmac('sha256', key).update(normalizedEmail, 'utf8').digest('hex');
    if (cache.size >= MAX_CACHED_HASHES) cache.clear();
    cache.set(normalizedEmail, hash);
    return hash;
  };
}
