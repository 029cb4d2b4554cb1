import { describe, expect, it } from '@jest/globals';
import {
  addDays,
  consecutiveDates,
  consecutiveRuns,
  dateInZone,
  daysInRange,
  isIsoDate,
  lastDaysRange,
} from '../../src/domain/business-dates.ts';

/** The date arithmetic that report and aggregation ranges (and the workflow) rely on. */

describe('business dates', () => {
  it('accepts only real calendar dates in YYYY-MM-DD form', () => {
    expect(isIsoDate('2026-10-01')).toBe(true);
    expect(isIsoDate('2028-02-29')).toBe(true);
    expect(isIsoDate('2026-02-29')).toBe(false);
    expect(isIsoDate('2026-13-01')).toBe(false);
    expect(isIsoDate('2026-1-01')).toBe(false);
    expect(isIsoDate('2026-10-01T00:00:00Z')).toBe(false);
  });

  it('adds days across month, year and daylight-saving boundaries', () => {
    expect(addDays('2026-10-31', 1)).toBe('2026-11-01');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    // Europe's clocks change on 2026-03-29: date arithmetic must not notice.
    expect(addDays('2026-03-28', 2)).toBe('2026-03-30');
    expect(() => addDays('2026-02-30', 1)).toThrow(RangeError);
  });

  it('counts days with both ends included', () => {
    expect(daysInRange('2026-10-01', '2026-10-01')).toBe(1);
    expect(daysInRange('2026-01-01', '2026-12-31')).toBe(365);
    expect(daysInRange('2026-10-02', '2026-10-01')).toBe(0);
    expect(consecutiveDates('2026-10-30', 3)).toEqual(['2026-10-30', '2026-10-31', '2026-11-01']);
  });

  it('groups sorted dates into runs of consecutive days, across month ends', () => {
    expect(consecutiveRuns([])).toEqual([]);
    expect(consecutiveRuns(['2026-10-05'])).toEqual([{ first: '2026-10-05', last: '2026-10-05' }]);
    expect(consecutiveRuns(['2026-10-30', '2026-10-31', '2026-11-01', '2026-11-03', '2026-11-05', '2026-11-06'])).toEqual([
      { first: '2026-10-30', last: '2026-11-01' },
      { first: '2026-11-03', last: '2026-11-03' },
      { first: '2026-11-05', last: '2026-11-06' },
    ]);
  });

  it('reads the date of an instant in the business zone', () => {
    const justBeforeNairobiMidnight = Date.parse('2026-11-10T20:59:59Z');
    expect(dateInZone(justBeforeNairobiMidnight, 'Africa/Nairobi')).toBe('2026-11-10');
    expect(dateInZone(justBeforeNairobiMidnight + 1000, 'Africa/Nairobi')).toBe('2026-11-11');
    expect(dateInZone(justBeforeNairobiMidnight + 1000, 'Africa/Lagos')).toBe('2026-11-10');
    expect(dateInZone(justBeforeNairobiMidnight + 1000, 'UTC')).toBe('2026-11-10');
  });

  it('makes lastDays 2 yesterday and today in the zone', () => {
    const now = Date.parse('2026-11-10T21:30:00Z');
    expect(lastDaysRange(2, 'Africa/Nairobi', now)).toEqual({ from: '2026-11-10', to: '2026-11-11' });
    expect(lastDaysRange(2, 'Africa/Lagos', now)).toEqual({ from: '2026-11-09', to: '2026-11-10' });
    expect(lastDaysRange(1, 'UTC', now)).toEqual({ from: '2026-11-10', to: '2026-11-10' });
    expect(() => lastDaysRange(0, 'UTC', now)).toThrow(RangeError);
  });
});

describe('dateInZone', () => {
  const instant = Date.parse('2024-03-01T22:30:00Z');

  it('is the calendar date of the instant in the zone', () => {
    expect(dateInZone(instant, 'UTC')).toBe('2024-03-01');
    expect(dateInZone(instant, 'Africa/Nairobi')).toBe('2024-03-02');
    expect(dateInZone(instant, 'America/Los_Angeles')).toBe('2024-03-01');
    expect(dateInZone(Date.parse('2024-03-01T05:00:00Z'), 'America/Los_Angeles')).toBe('2024-02-29');
  });

  it('follows daylight saving time', () => {
    expect(dateInZone(Date.parse('2024-07-01T23:30:00Z'), 'Europe/London')).toBe('2024-07-02');
    expect(dateInZone(Date.parse('2024-01-01T23:30:00Z'), 'Europe/London')).toBe('2024-01-01');
  });

  it('pads years below 1000', () => {
    expect(dateInZone(Date.parse('0099-06-01T12:00:00Z'), 'UTC')).toBe('0099-06-01');
  });
});
