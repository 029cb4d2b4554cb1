/**
 * The outcome of reading one raw CSV value. A failure carries a reason meant for the person who
 * exported the file, so it names the column and never quotes a value unmasked (see quote-value.ts).
 */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

export function parsedOk<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

export function parsedFail<T>(reason: string): Parsed<T> {
  return { ok: false, reason };
}
