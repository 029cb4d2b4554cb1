import { describe, expect, it } from '@jest/globals';
import { parseProcessCpuSeconds } from '../../src/bench/cpu-time.ts';

describe('a process CPU time read from /proc/<pid>/stat', () => {
  it('adds user and system time, in seconds', () => {
    const stat = '4242 (node) S 1 4242 4242 0 -1 4194560 52113 0 0 0 3150 420 0 0 20 0 16 0 8812 1073741824 57000 0';
    expect(parseProcessCpuSeconds(stat)).toBe(35.7);
  });

  it('counts the fields after the last parenthesis, whatever the command name holds', () => {
    const stat = '77 (odd) name (x)) R 1 77 77 0 -1 0 0 0 0 0 250 50 0 0 20 0 1 0 100 0 0 0';
    expect(parseProcessCpuSeconds(stat)).toBe(3);
  });

  it('reads this very process', async () => {
    const { readFile } = await import('node:fs/promises');
    const seconds = parseProcessCpuSeconds(await readFile('/proc/self/stat', 'utf8'));
    const { user, system } = process.cpuUsage();
    expect(Math.abs(seconds - (user + system) / 1e6)).toBeLessThan(0.5);
  });
});
