/*
 * Wall-clock time in an IANA zone, with nothing but Intl: Node ships the full tz database, and
 * Temporal is not yet unflagged in Node 24. Pure and deterministic: workflow code uses these too.
 */

const MS_PER_SECOND = 1000;
const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 86_400_000;

/** Calendar fields of a wall-clock time; `month` is 1–12. */
export type WallTime = {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
};

/** Whether Intl knows the zone (an IANA name such as Africa/Nairobi, or UTC). */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Building a formatter costs far more than using one, and files use one or two zones. */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Milliseconds since the epoch of a wall time read as UTC. Date.UTC maps years 0–99 to 19xx. */
export function wallTimeAsUtc(wall: WallTime): number {
  const { year, month, day, hour, minute, second, millisecond } = wall;
  if (year >= 100) return Date.UTC(year, month - 1, day, hour, minute, second, millisecond);
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millisecond);
  return date.getTime();
}

/** The wall time that `instantMs` shows in `timeZone`, to the second. */
export function wallTimeAt(instantMs: number, timeZone: string): WallTime {
  const wall: WallTime = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, millisecond: 0 };
  for (const part of formatterFor(timeZone).formatToParts(instantMs)) {
    switch (part.type) {
      case 'year':
        wall.year = Number(part.value);
        break;
      case 'month':
        wall.month = Number(part.value);
        break;
      case 'day':
        wall.day = Number(part.value);
        break;
      case 'hour':
        wall.hour = Number(part.value);
        break;
      case 'minute':
        wall.minute = Number(part.value);
        break;
      case 'second':
        wall.second = Number(part.value);
        break;
      default:
        break;
    }
  }
  return wall;
}

/** The zone's UTC offset at an instant (local minus UTC), in milliseconds. */
export function zoneOffsetMs(timeZone: string, instantMs: number): number {
  const wholeSecond = instantMs - (((instantMs % MS_PER_SECOND) + MS_PER_SECOND) % MS_PER_SECOND);
  return wallTimeAsUtc(wallTimeAt(wholeSecond, timeZone)) - wholeSecond;
}

/** Offsets are constant over most hours of a file: per zone, wall hour → offset. */
const steadyOffsets = new Map<string, Map<number, number>>();
const MAX_CACHED_HOURS = 100_000;

/**
 * The instant a wall time names in a zone. Around a transition the choice follows RFC 5545 and
 * Temporal's "compatible" disambiguation: a repeated time (clocks going back) is its earlier
 * instant; a skipped time (clocks going forward) is moved forward by the length of the gap, as a
 * clock that was not changed would read it. It assumes a zone changes offset at most once within
 * a day either side of the time, which holds for every zone in the tz database.
 */
export function zonedWallTimeToInstant(wall: WallTime, timeZone: string): number {
  const wallMs = wallTimeAsUtc(wall);
  let hours = steadyOffsets.get(timeZone);
  if (hours === undefined) {
    hours = new Map();
    steadyOffsets.set(timeZone, hours);
  }
  const hour = Math.floor(wallMs / MS_PER_HOUR);
  const steady = hours.get(hour);
  if (steady !== undefined) return wallMs - steady;

  const offsetBefore = zoneOffsetMs(timeZone, wallMs - MS_PER_DAY);
  const offsetAfter = zoneOffsetMs(timeZone, wallMs + MS_PER_DAY);
  if (offsetBefore === offsetAfter) {
    // No transition within a day either side: every time in this wall hour has this offset.
    if (hours.size >= MAX_CACHED_HOURS) hours.clear();
    hours.set(hour, offsetBefore);
    return wallMs - offsetBefore;
  }
  const earlier = wallMs - offsetBefore;
  if (zoneOffsetMs(timeZone, earlier) === offsetBefore) return earlier;
  const later = wallMs - offsetAfter;
  if (zoneOffsetMs(timeZone, later) === offsetAfter) return later;
  // In the gap: read with the offset in force before it, which lands after the transition.
  return earlier;
}
