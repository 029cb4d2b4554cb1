import { describe, expect, it } from '@jest/globals';
import type { BenchResults, PeerRun, SizeResult } from '../../src/bench/bench-results.ts';
import { peerParagraph, sideBySideTable } from '../../src/bench/peer-report.ts';

const MiB = 1024 * 1024;

const size = (rows: number, endToEndSeconds: number): SizeResult => ({
  rows,
  endToEndSeconds,
  timings: { stages: { hashAndClaim: 0, parseToStaging: 0, loadFromStaging: 0, aggregateDays: 0, other: 0 }, workflowSeconds: 0 },
  peakRssBytes: 300 * MiB,
  atStart: { peakBytes: 100 * MiB, currentBytes: 80 * MiB },
  copySeconds: 1,
  cpu: { cores: 2, machineBusySeconds: 1, workerSeconds: 1 },
});

const peer: PeerRun = {
  wallSeconds: 24,
  steps: [
    { step: 'extract', seconds: 4.6, note: '' },
    { step: 'load', seconds: 3.5, note: '' },
    { step: 'total', seconds: 19.8, note: 'peak RSS 781 MiB (this process)' },
  ],
  peakRssBytes: 781 * MiB,
  cpu: { cores: 2, machineBusySeconds: 36, workerSeconds: 20 },
};

const results = (overrides: Partial<BenchResults>): BenchResults => ({
  sizes: [size(1_000_000, 53.1), size(5_000_000, 300)],
  warmSmall: { rows: 10_000, endToEndSeconds: 2.5 },
  reaggregate: { rows: 10_000, aggregateSeconds: 0.4, daysAggregated: 1 },
  concurrency: null,
  peerFirstLoads: [
    { rows: 1_000_000, peer },
    { rows: 5_000_000, peer: { ...peer, wallSeconds: 89 } },
  ],
  secondFile: { pipeforge: size(1_000_000, 71.9), peer: { ...peer, wallSeconds: 39.7 } },
  fourAtOnce: { files: 4, rowsPerFile: 1_000_000, seconds: 100, peakRssBytes: 500 * MiB },
  parseSplit: { rows: 1_000_000, oneActivitySeconds: 16, twoActivitiesSeconds: 1.5, workersUsed: 2 },
  ...overrides,
});

describe('PipeForge beside the dlt peer in the report', () => {
  it('tabulates every load with both wall times and their ratio', () => {
    const table = sideBySideTable(results({}));
    expect(table).toMatch(/\| 1M-line file, first load \(the peer into a fresh schema\) +\| +53\.10 s \| +24\.00 s \| +2\.21× \|/);
    expect(table).toMatch(/\| 5M-line file, first load .*\| +300\.00 s \| +89\.00 s \| +3\.37× \|/);
    expect(table).toMatch(/\| a second 1M-line file into the populated database +\| +71\.90 s \| +39\.70 s \| +1\.81× \|/);
  });

  it('says in the peer cells why there is no peer number', () => {
    const missing = { missing: 'peer not found' };
    const table = sideBySideTable(
      results({ peerFirstLoads: [{ rows: 1_000_000, peer: missing }], secondFile: { pipeforge: size(1_000_000, 71.9), peer: missing } }),
    );
    expect(table).toMatch(/\| 1M-line file.*\| +53\.10 s \| +peer not found \| +\|/);
    expect(table).toMatch(/\| 5M-line file.*\| +300\.00 s \| +not run \| +\|/);
    expect(peerParagraph(missing)).toBe('dlt peer on the same file: peer not found.');
  });

  it("gives the peer's steps, peak and CPU split", () => {
    expect(peerParagraph(peer)).toBe(
      'dlt peer on the same file: 24.00 s wall (its steps: extract 4.60, load 3.50), peak RSS 781 MiB.\n\n' +
        "CPU, dlt peer: 36.0 of 48.0 core-seconds busy (75 % of 2 cores over 24.00 s): the peer's Python process 20.0, " +
        'everything else (PostgreSQL; Temporal, MinIO idle) 16.0.',
    );
  });
});
