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

const BYTE_UNITS = ['KiB', 'MiB', 'GiB', 'TiB'] as const;

/** A size in binary units with one decimal: 1536 → "1.5 KiB"; below a KiB in bytes. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${formatCount(bytes)} B`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 })} ${BYTE_UNITS[unit]}`;
}

/** A share as a whole percentage, never 100% before it is all done: 0.996 → "99%". */
export function formatPercent(fraction: number): string {
  const percent = Math.floor(Math.min(1, Math.max(0, fraction)) * 100);
  return `${percent}%`;
}

/** A time left, coarse enough to read at a glance: "8s", "1m 05s", "2h 03m". */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.ceil(seconds));
  if (total < 60) return `${total}s`;
  const minutes = Math.floor(total / 60);
  if (minutes < 60) return `${minutes}m ${String(total % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}
