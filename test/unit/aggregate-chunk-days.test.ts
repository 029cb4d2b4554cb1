import { describe, expect, it } from '@jest/globals';
import { daysPerChunk } from '../../src/activities/aggregate-days.ts';

describe('the days one aggregate transaction recomputes', () => {
  it('splits a quarter into two rounds of two equal chunks', () => {
    expect(daysPerChunk(90)).toBe(23);
  });

  it('gives each of the two connections half of a short range, and one day to a single day', () => {
    expect(daysPerChunk(14)).toBe(7);
    expect(daysPerChunk(3)).toBe(2);
    expect(daysPerChunk(1)).toBe(1);
  });

  it('never puts more than a month in one transaction', () => {
    for (const days of [62, 63, 200, 365, 1000]) expect(daysPerChunk(days)).toBeLessThanOrEqual(31);
    expect(daysPerChunk(62)).toBe(31);
  });
});
