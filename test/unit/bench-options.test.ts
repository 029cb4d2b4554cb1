import { describe, expect, it } from '@jest/globals';
import { parseBenchArgs, reproduceCommand } from '../../src/bench/bench-options.ts';
import { benchFileName } from '../../src/bench/bench-files.ts';
import { parseResidentSet } from '../../src/bench/resident-set.ts';

describe('bench options', () => {
  it('default to the issue sizes, the concurrency measure and BENCHMARKS.md', () => {
    const options = parseBenchArgs([]);
    expect(options).toEqual({ sizes: [1_000_000, 5_000_000], skipConcurrency: false, out: 'BENCHMARKS.md', concurrencyRows: 100_000 });
    expect(reproduceCommand(options)).toBe('npm run bench');
  });

  it('reproduce a quick run without where it was written', () => {
    const options = parseBenchArgs(['--sizes', '100_000', '--skip-concurrency', '--out', '/tmp/bench.md']);
    expect(options.sizes).toEqual([100_000]);
    expect(reproduceCommand(options)).toBe('npm run bench -- --sizes 100000 --skip-concurrency');
    expect(reproduceCommand(parseBenchArgs(['--concurrency-rows', '20000']))).toBe('npm run bench -- --concurrency-rows 20000');
  });

  it('refuse sizes that are not positive whole numbers, repeated sizes and unknown flags', () => {
    expect(() => parseBenchArgs(['--sizes', '1e6x'])).toThrow(/--sizes/);
    expect(() => parseBenchArgs(['--sizes', '100,,200'])).toThrow(/--sizes/);
    expect(() => parseBenchArgs(['--sizes', '100,100'])).toThrow(/repeat/);
    expect(() => parseBenchArgs(['--size', '100'])).toThrow();
  });
});

describe('bench helpers', () => {
  it('name a cached file after everything its bytes depend on', () => {
    expect(benchFileName({ rows: 1_000_000, seed: 1, days: 90, refPrefix: 'BIG1000000' })).toBe('orders-1000000-seed1-days90-BIG1000000.csv');
  });

  it('read the peak resident set from /proc status text', () => {
    expect(parseResidentSet('Name:\tnode\nVmPeak:\t 999 kB\nVmHWM:\t  204800 kB\nVmRSS:\t 1 kB\n')).toEqual({
      peakBytes: 204_800 * 1024,
      currentBytes: 1024,
    });
    expect(() => parseResidentSet('Name:\tnode\nVmRSS:\t 1 kB\n')).toThrow(/VmHWM/);
  });
});
