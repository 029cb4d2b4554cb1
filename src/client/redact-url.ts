/** A connection URL fit to print: the password, if any, replaced by `***`. */
export function redactUrlPassword(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not a URL: nothing to find a password in, but it may be a secret itself.
    return '***';
  }
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
