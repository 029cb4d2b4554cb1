import { describe, expect, it } from '@jest/globals';
import { dateInZone } from '../../../src/domain/business-dates.ts';
import { parseOrderDate, readOrderDate } from '../../../src/domain/order-date.ts';

function iso(raw: string, timeZone = 'UTC'): string | null {
  return parseOrderDate(raw, timeZone)?.toISOString() ?? null;
}

function reason(raw: string, timeZone = 'UTC'): string {
  const parsed = readOrderDate(raw, timeZone);
  if (parsed.ok) throw new Error(`expected ${raw} to be refused`);
  return parsed.reason;
}

describe('parseOrderDate: accepted forms', () => {
  it.each([
    ['2024-03-01', '2024-03-01T00:00:00.000Z'],
    ['2024-03-01T14:30', '2024-03-01T14:30:00.000Z'],
    ['2024-03-01T14:30:05', '2024-03-01T14:30:05.000Z'],
    ['2024-03-01T14:30:05.1', '2024-03-01T14:30:05.100Z'],
    ['2024-03-01T14:30:05.123', '2024-03-01T14:30:05.123Z'],
    ['2024-03-01T14:30:05.123456789', '2024-03-01T14:30:05.123Z'],
    ['2024-03-01T23:59:59.9999', '2024-03-01T23:59:59.999Z'],
    ['2024-03-01 14:30:05', '2024-03-01T14:30:05.000Z'],
    ['2024-03-01t14:30:05z', '2024-03-01T14:30:05.000Z'],
    ['  2024-03-01T14:30:05Z  ', '2024-03-01T14:30:05.000Z'],
  ])('reads %j in UTC as %s', (raw, expected) => {
    expect(iso(raw)).toBe(expected);
  });

  it.each([
    ['2024-03-01T14:30:05Z', '2024-03-01T14:30:05.000Z'],
    ['2024-03-01T14:30:05+03:00', '2024-03-01T11:30:05.000Z'],
    ['2024-03-01T14:30:05+0300', '2024-03-01T11:30:05.000Z'],
    ['2024-03-01T14:30:05+03', '2024-03-01T11:30:05.000Z'],
    ['2024-03-01T14:30:05-05:30', '2024-03-01T20:00:05.000Z'],
    ['2024-03-01T01:00+05:00', '2024-02-29T20:00:00.000Z'],
    ['2024-03-01 14:30:05.5-00:00', '2024-03-01T14:30:05.500Z'],
  ])('reads %j with its own offset, whatever the source zone', (raw, expected) => {
    expect(iso(raw, 'Africa/Nairobi')).toBe(expected);
    expect(iso(raw, 'Europe/London')).toBe(expected);
  });

  it('reads a time without an offset in the source zone (Africa/Nairobi is UTC+3)', () => {
    expect(iso('2024-03-01T10:15', 'Africa/Nairobi')).toBe('2024-03-01T07:15:00.000Z');
    expect(iso('2024-03-01 01:00:00', 'Africa/Nairobi')).toBe('2024-02-29T22:00:00.000Z');
  });

  it('reads a bare date as midnight in the source zone', () => {
    expect(iso('2024-03-01', 'Africa/Nairobi')).toBe('2024-02-29T21:00:00.000Z');
    expect(iso('2024-03-01', 'America/New_York')).toBe('2024-03-01T05:00:00.000Z');
  });

  it('accepts 29 February in leap years only', () => {
    expect(iso('2024-02-29')).toBe('2024-02-29T00:00:00.000Z');
    expect(iso('2000-02-29')).toBe('2000-02-29T00:00:00.000Z');
    expect(iso('2023-02-29')).toBeNull();
    expect(iso('1900-02-29')).toBeNull();
  });

  it('handles years below 100 without mapping them to the 1900s', () => {
    expect(parseOrderDate('0099-06-01T00:00Z', 'UTC')?.getUTCFullYear()).toBe(99);
    expect(parseOrderDate('0099-06-01T00:00', 'Africa/Nairobi')?.getUTCFullYear()).toBe(99);
  });
});

describe('parseOrderDate: Europe/London around its clock changes', () => {
  const london = (raw: string) => iso(raw, 'Europe/London');

  it('uses GMT in winter and BST in summer', () => {
    expect(london('2024-01-15T12:00')).toBe('2024-01-15T12:00:00.000Z');
    expect(london('2024-07-01T12:00')).toBe('2024-07-01T11:00:00.000Z');
  });

  it('switches to BST at 01:00 UTC on 31 March 2024', () => {
    expect(london('2024-03-31T00:30')).toBe('2024-03-31T00:30:00.000Z');
    expect(london('2024-03-31T02:30')).toBe('2024-03-31T01:30:00.000Z');
    expect(london('2024-03-31T03:00')).toBe('2024-03-31T02:00:00.000Z');
    expect(london('2024-03-30T12:00')).toBe('2024-03-30T12:00:00.000Z');
    expect(london('2024-04-01T12:00')).toBe('2024-04-01T11:00:00.000Z');
  });

  it('moves a skipped time (01:30 does not exist that night) forward by the gap', () => {
    expect(london('2024-03-31T01:30')).toBe('2024-03-31T01:30:00.000Z');
    expect(dateInZone(Date.parse('2024-03-31T01:30:00Z'), 'Europe/London')).toBe('2024-03-31');
  });

  it('reads a repeated time (01:30 happens twice on 27 October) as the earlier one', () => {
    expect(london('2024-10-27T01:30')).toBe('2024-10-27T00:30:00.000Z');
    expect(london('2024-10-27T02:30')).toBe('2024-10-27T02:30:00.000Z');
    expect(london('2024-10-27T00:30')).toBe('2024-10-26T23:30:00.000Z');
  });

  it('gives the same answers when asked again (cached hours)', () => {
    for (let pass = 0; pass < 2; pass += 1) {
      expect(london('2024-07-01T12:45')).toBe('2024-07-01T11:45:00.000Z');
      expect(london('2024-03-31T02:15')).toBe('2024-03-31T01:15:00.000Z');
      expect(london('2024-03-31T00:15')).toBe('2024-03-31T00:15:00.000Z');
    }
  });

  it('handles the New York gap the same way', () => {
    expect(iso('2024-03-10T02:30', 'America/New_York')).toBe('2024-03-10T07:30:00.000Z');
    expect(iso('2024-03-10T03:30', 'America/New_York')).toBe('2024-03-10T07:30:00.000Z');
    expect(iso('2024-11-03T01:30', 'America/New_York')).toBe('2024-11-03T05:30:00.000Z');
  });
});

describe('parseOrderDate: refused values', () => {
  it.each([
    'yesterday',
    '2024/03/01',
    '01/03/2024',
    '2024-3-1',
    '20240301',
    '2024-03-01T10',
    '2024-03-01T10:5',
    '2024-03-01Z',
    '2024-03-01T10:00:00.',
    '2024-03-01T10:00:00.1234567890',
    '2024-03-01T10:00:00 +03:00',
    '2024-03-01  10:00',
    '1709280000',
  ])('refuses %j as not ISO 8601', (raw) => {
    expect(iso(raw)).toBeNull();
    expect(reason(raw)).toMatch(/^order_date ".*" is not an ISO 8601 date or date-time such as 2024-03-01/);
  });

  it.each([
    ['2024-02-30', 'February 2024 has 29 days'],
    ['2023-02-29', 'February 2023 has 28 days'],
    ['2024-04-31', 'April 2024 has 30 days'],
    ['2024-13-01', 'there is no month 13'],
    ['2024-00-10', 'there is no month 0'],
    ['2024-01-00', 'there is no day 00'],
    ['2024-03-01T25:00', 'hour 25 is past 23'],
    ['2024-03-01T24:00', 'hour 24 is past 23'],
    ['2024-03-01T23:60', 'minute 60 is past 59'],
    ['2024-03-01T23:59:60', 'second 60 is past 59'],
    ['0000-01-01', 'there is no year 0000'],
  ])('refuses %j: %s', (raw, problem) => {
    expect(iso(raw)).toBeNull();
    expect(reason(raw)).toBe(`order_date ${JSON.stringify(raw)} is not a real date-time: ${problem}`);
  });

  it('refuses an impossible offset', () => {
    expect(reason('2024-03-01T10:00+24:00')).toMatch(/impossible UTC offset/);
    expect(reason('2024-03-01T10:00+03:60')).toMatch(/impossible UTC offset/);
  });

  it('refuses an instant before year 1', () => {
    expect(reason('0001-01-01T00:30+01:00')).toMatch(/outside the years 0001 to 9999/);
  });

  it('says an empty date is empty', () => {
    expect(reason('   ')).toBe('order_date is empty');
  });
});
