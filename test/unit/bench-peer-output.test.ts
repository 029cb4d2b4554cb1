import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { parsePeerOutput, peerStepsSummary, RUSAGE_WRAPPER } from '../../src/bench/peer-output.ts';

/** What dlt_orders.py prints for a first load (f"{step:<10} {seconds:8.2f} s  {extra}"), then the wrapper's line. */
const FIRST_LOAD = [
  'sync           0.31 s  state restored/checked against the destination',
  'hash           0.80 s  3f2a9c0d1e2b4a55',
  'extract        4.61 s  total_rows=1000000 failed_rows=0 inconsistent_orders=0 orders=333421 customers=50000 products=2000',
  'normalize      1.20 s  customers=50000 order_items=1000000 orders=333421 products=2000',
  'load           3.52 s  load_id=1764193456.123 format=csv',
  'indexes        2.70 s  ',
  'rollup         5.80 s  sales_aggregates_daily=559012',
  'total         19.80 s  peak RSS 781 MiB (this process)',
  'pipeforge-peer-rusage user=21.250 system=2.125',
  '',
].join('\n');

describe("the dlt peer's output", () => {
  it('gives every step in order, the peak RSS in bytes and the CPU of the wrapper line', () => {
    const output = parsePeerOutput(FIRST_LOAD);
    expect(output.steps.map((step) => step.step)).toEqual(['sync', 'hash', 'extract', 'normalize', 'load', 'indexes', 'rollup', 'total']);
    expect(output.steps[4]).toEqual({ step: 'load', seconds: 3.52, note: 'load_id=1764193456.123 format=csv' });
    expect(output.steps[5]).toEqual({ step: 'indexes', seconds: 2.7, note: '' });
    expect(output.peakRssBytes).toBe(781 * 1024 * 1024);
    expect(output.cpuSeconds).toBeCloseTo(23.375, 6);
    expect(output.duplicate).toBe(false);
  });

  it('skips what dlt itself prints between the steps', () => {
    const noisy = `2026-11-26 21:45:00,123|[WARNING]|123|MainThread|dlt|schema.py|merge: something\n${FIRST_LOAD}`;
    expect(parsePeerOutput(noisy).steps).toHaveLength(8);
  });

  it('tells a duplicate file, which loaded nothing', () => {
    const duplicate = [
      'sync           0.20 s  state restored/checked against the destination',
      'hash           0.80 s  3f2a9c0d1e2b4a55',
      "extract        0.01 s  duplicate of {'filename': 'orders.csv'}: nothing to load",
      'total          1.10 s  ',
      'pipeforge-peer-rusage user=1.000 system=0.100',
    ].join('\n');
    expect(parsePeerOutput(duplicate).duplicate).toBe(true);
  });

  it('refuses output without a total, a peak or the wrapper line', () => {
    expect(() => parsePeerOutput(FIRST_LOAD.replace(/^total.*$/m, ''))).toThrow(/total/);
    expect(() => parsePeerOutput(FIRST_LOAD.replace('peak RSS 781 MiB', 'peak unknown'))).toThrow(/peak RSS/);
    expect(() => parsePeerOutput(FIRST_LOAD.replace(/^pipeforge-peer-rusage.*$/m, ''))).toThrow(/rusage/);
  });

  it('sums up the working steps briefly', () => {
    expect(peerStepsSummary(parsePeerOutput(FIRST_LOAD).steps)).toBe(
      'sync 0.31, hash 0.80, extract 4.61, normalize 1.20, load 3.52, indexes 2.70, rollup 5.80',
    );
  });

  it('runs the peer under a wrapper whose line the parser reads, passing the exit code on', () => {
    const child = "import sys; sum(range(10**6)); print('total          0.01 s  peak RSS 9 MiB (this process)'); sys.exit(int(sys.argv[1]))";
    const run = (code: number) => spawnSync('python3', ['-c', RUSAGE_WRAPPER, 'python3', '-c', child, String(code)], { encoding: 'utf8' });
    const ok = run(0);
    expect(ok.status).toBe(0);
    const output = parsePeerOutput(ok.stdout);
    expect(output.peakRssBytes).toBe(9 * 1024 * 1024);
    expect(output.cpuSeconds).toBeGreaterThan(0);
    expect(run(3).status).toBe(3);
  });
});
