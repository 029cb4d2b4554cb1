import { parsedFail, parsedOk, type Parsed } from './parsed.ts';
import { quoteValue } from './quote-value.ts';
import { wallTimeAsUtc, zonedWallTimeToInstant, type WallTime } from './zone-time.ts';

/*
 * Accepted forms (ISO 8601 extended format, the profile RFC 3339 uses):
 *   2024-03-01
 *   2024-03-01T14:30   2024-03-01T14:30:05   2024-03-01T14:30:05.123456789
 * each time optionally followed by Z, ±HH:MM, ±HHMM or ±HH. As RFC 3339 allows (section 5.6),
 * the T may be a single space and T/Z may be lower case, because spreadsheets and databases
 * export "2024-03-01 14:30:05". Fractions beyond milliseconds are cut, not rounded, so a time
 * never moves into the next second (or day). Hour 24 and leap seconds (:60) are refused.
 */
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?)?$/;

const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

const FIRST_INSTANT = Date.parse('0001-01-01T00:00:00Z');
const AFTER_LAST_INSTANT = Date.parse('+010000-01-01T00:00:00Z');

const EXAMPLE = 'such as 2024-03-01, 2024-03-01T14:30:00 or 2024-03-01T14:30:00+03:00';

/**
 * Reads `order_date`. With `Z` or an offset it is that instant; without (or a bare date, read as
 * midnight) it is a wall time in `sourceTimeZone`.
 */
export function readOrderDate(raw: string, sourceTimeZone: string): Parsed<Date> {
  const text = raw.trim();
  if (text === '') return parsedFail('order_date is empty');
  const match = ISO_DATE_TIME.exec(text);
  if (match === null) return parsedFail(`order_date ${quoteValue(text)} is not an ISO 8601 date or date-time ${EXAMPLE}`);
  // Every row passes here: fixed-position fields are read from character codes, which is several
  // times faster than Number() on each capture.
  const hasTime = match[4] !== undefined;
  const fraction = match[7];
  const wall: WallTime = {
    year: digitsAt(text, 0, 4),
    month: digitsAt(text, 5, 2),
    day: digitsAt(text, 8, 2),
    hour: hasTime ? digitsAt(text, 11, 2) : 0,
    minute: hasTime ? digitsAt(text, 14, 2) : 0,
    second: match[6] === undefined ? 0 : digitsAt(text, 17, 2),
    millisecond: fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0')),
  };
  const problem = describeImpossibleWallTime(wall);
  if (problem !== null) return parsedFail(`order_date ${quoteValue(text)} is not a real date-time: ${problem}`);

  let instant: number;
  const sign = match[9];
  if (match[8] !== undefined) {
    instant = wallTimeAsUtc(wall);
  } else if (sign !== undefined) {
    const hours = Number(match[10]);
    const minutes = match[11] === undefined ? 0 : Number(match[11]);
    if (hours > 23 || minutes > 59) {
      return parsedFail(`order_date ${quoteValue(text)} has an impossible UTC offset (at most ±23:59)`);
    }
    const offsetMs = (hours * 60 + minutes) * 60_000 * (sign === '-' ? -1 : 1);
    instant = wallTimeAsUtc(wall) - offsetMs;
  } else {
    instant = zonedWallTimeToInstant(wall, sourceTimeZone);
  }
  // PostgreSQL has no year 0, and 10000 would not print as four digits anywhere downstream.
  if (instant < FIRST_INSTANT || instant >= AFTER_LAST_INSTANT) {
    return parsedFail(`order_date ${quoteValue(text)} is outside the years 0001 to 9999`);
  }
  return parsedOk(new Date(instant));
}

/** `readOrderDate` without the reason: the instant, or null when the value is not a valid date. */
export function parseOrderDate(raw: string, sourceTimeZone: string): Date | null {
  const parsed = readOrderDate(raw, sourceTimeZone);
  return parsed.ok ? parsed.value : null;
}

/** The value of `count` ASCII digits starting at `start`; the regular expression vouched for them. */
function digitsAt(text: string, start: number, count: number): number {
  let value = 0;
  for (let index = start; index < start + count; index += 1) value = value * 10 + (text.charCodeAt(index) - 48);
  return value;
}

function describeImpossibleWallTime(wall: WallTime): string | null {
  const { year, month, day, hour, minute, second } = wall;
  if (year === 0) return 'there is no year 0000';
  if (month < 1 || month > 12) return `there is no month ${month}`;
  const days = daysInMonth(year, month);
  if (day < 1 || day > days) {
    return day < 1 ? 'there is no day 00' : `${MONTH_NAMES[month - 1]} ${year} has ${days} days`;
  }
  if (hour > 23) return `hour ${hour} is past 23`;
  if (minute > 59) return `minute ${minute} is past 59`;
  if (second > 59) return `second ${second} is past 59`;
  return null;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}
