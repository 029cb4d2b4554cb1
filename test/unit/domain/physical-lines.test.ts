import { describe, expect, it } from '@jest/globals';
import { createPhysicalLines } from '../../../src/domain/physical-lines.ts';

describe('createPhysicalLines', () => {
  it('numbers each record by the line it starts on, counting blank lines and line feeds inside records', () => {
    const lines = createPhysicalLines();
    expect(lines.lastEnd()).toBe(0);
    expect(lines.nextStart()).toBe(1);
    expect(lines.take(0, 0)).toBe(1);
    // Lines 2 and 3 blank, then a record over lines 4 and 5.
    expect(lines.take(2, 1)).toBe(4);
    expect(lines.lastEnd()).toBe(5);
    expect(lines.nextStart(1)).toBe(7);
    expect(lines.take(0, 2)).toBe(6);
    expect(lines.take(0, 0)).toBe(9);
  });
});
