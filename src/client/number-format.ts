/*
 * The one way the CLI shows numbers to a person, so that the progress bar, the final line and the
 * report agree. Machine output (--json, --format csv/json) keeps numbers exact and unseparated.
 */

const SEPARATED = /\B(?=(\d{3})+(?!\d))/g;

/** A count with thousands separators: 300000 → "300,000". */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/**
 * A decimal amount as the database wrote it, with thousands separators in its whole part:
 * "745833111.43" → "745,833,111.43". Done on the string, so no float touches the money.
 */
export function formatAmount(decimal: string): string {
  const match = /^(-?)(\d+)(\.\d+)?$/.exec(decimal);
  if (match === null) return decimal;
  const [, sign = '', whole = '', fraction = ''] = match;
  return `${sign}${whole.replace(SEPARATED, ',')}${fraction}`;
}
