/*
 * Export files repeat themselves: the lines of one order sit together and share its date, email
 * and payment method, and a few thousand customers fill a million lines. Column readers are pure,
 * so their results can be reused. Results are shared, not copied: callers must not mutate them.
 */

/** Remembers the latest input only: free, and catches the lines of one order in a row. */
export function rememberLast<T>(read: (raw: string) => T): (raw: string) => T {
  let lastRaw: string | undefined;
  let lastResult: T | undefined;
  return (raw) => {
    if (raw === lastRaw) return lastResult as T;
    const result = read(raw);
    lastRaw = raw;
    lastResult = result;
    return result;
  };
}

/**
 * Remembers up to `maxEntries` inputs, then starts over: bounded memory, no LRU bookkeeping.
 * A lookup hashes the whole string, so put rememberLast in front where repeats come in runs.
 */
export function rememberMany<T>(read: (raw: string) => T, maxEntries: number): (raw: string) => T {
  const results = new Map<string, T>();
  return (raw) => {
    const known = results.get(raw);
    if (known !== undefined) return known;
    const result = read(raw);
    if (results.size >= maxEntries) results.clear();
    results.set(raw, result);
    return result;
  };
}
