import { wallTimeAt } from './zone-time.ts';

/*
 * Calendar dates as 'YYYY-MM-DD' strings, the only form in which dates cross the workflow
 * boundary. Arithmetic runs on UTC midnight, where every day has 24 hours, so no zone's daylight
 * saving can shift a date; the business zone matters only when an instant becomes a date.
 * Pure and deterministic: workflow code uses these too.
 */

const MS_PER_DAY = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date in 'YYYY-MM-DD' form (2026-02-30 is not one). */
export function isIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const [, year, month, day] = match;
  const at = Date.UTC(Number(year), Number(month) - 1, Number(day));
  return new Date(at).toISOString().slice(0, 10) === value;
}

function toUtcMs(date: string): number {
  if (!isIsoDate(date)) throw new RangeError(`${JSON.stringify(date)} is not a date in YYYY-MM-DD form`);
  return Date.parse(`${date}T00:00:00Z`);
}

export function addDays(date: string, days: number): string {
  return new Date(toUtcMs(date) + days * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Days from `from` to `to`, both included: 1 for a single day, 0 when `to` is before `from`. */
export function daysInRange(from: string, to: string): number {
  return Math.max(0, Math.round((toUtcMs(to) - toUtcMs(from)) / MS_PER_DAY) + 1);
}

/** `count` consecutive dates starting at `from`. */
export function consecutiveDates(from: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => addDays(from, index));
}

/** The calendar date an instant falls on in an IANA zone. */
export function dateInZone(instantMs: number, timeZone: string): string {
  const wall = wallTimeAt(instantMs, timeZone);
  const pad = (value: number, width: number) => String(value).padStart(width, '0');
  return `${pad(wall.year, 4)}-${pad(wall.month, 2)}-${pad(wall.day, 2)}`;
}

/** The last `days` business dates up to and including today: 2 means yesterday and today. */
export function lastDaysRange(days: number, timeZone: string, nowMs: number): { from: string; to: string } {
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`the number of days must be a whole number ≥ 1, not ${days}`);
  const to = dateInZone(nowMs, timeZone);
  return { from: addDays(to, 1 - days), to };
}

/**
 * Sorted, distinct dates as runs of consecutive days, each from its first to its last date:
 * ['2026-03-01', '2026-03-02', '2026-03-05'] gives 03-01…03-02 and 03-05…03-05.
 */
export function consecutiveRuns(sortedDates: readonly string[]): Array<{ first: string; last: string }> {
  const runs: Array<{ first: string; last: string }> = [];
  for (const date of sortedDates) {
    const run = runs.at(-1);
    if (run && addDays(run.last, 1) === date) run.last = date;
    else runs.push({ first: date, last: date });
  }
  return runs;
}
