import { describe, expect, it } from '@jest/globals';
import { rememberLast, rememberMany } from '../../../src/domain/memo.ts';

function counting() {
  const calls: string[] = [];
  const read = (raw: string) => {
    calls.push(raw);
    return { value: raw.toUpperCase() };
  };
  return { calls, read };
}

describe('rememberLast', () => {
  it('reuses the result for a repeated input only', () => {
    const { calls, read } = counting();
    const remembered = rememberLast(read);
    const first = remembered('a');
    expect(remembered('a')).toBe(first);
    expect(remembered('b')).toEqual({ value: 'B' });
    expect(remembered('a')).toEqual({ value: 'A' });
    expect(calls).toEqual(['a', 'b', 'a']);
  });
});

describe('rememberMany', () => {
  it('reuses results for inputs seen before, and starts over when full', () => {
    const { calls, read } = counting();
    const remembered = rememberMany(read, 2);
    remembered('a');
    remembered('b');
    remembered('a');
    remembered('b');
    expect(calls).toEqual(['a', 'b']);
    remembered('c');
    remembered('a');
    expect(calls).toEqual(['a', 'b', 'c', 'a']);
    expect(remembered('c')).toEqual({ value: 'C' });
  });
});
