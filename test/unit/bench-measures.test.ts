import { describe, expect, it } from '@jest/globals';
import type { BenchResults, SizeResult } from '../../src/bench/bench-results.ts';
import { evaluateMeasures, rowsLabel } from '../../src/bench/measures.ts';

const MiB = 1024 * 1024;

const size = (rows: number, endToEndSeconds: number, peakMiB: number): SizeResult => ({
  rows,
  endToEndSeconds,
  timings: {
    stages: { hashAndClaim: 0, parseToStaging: 0, loadFromStaging: 0, aggregateDays: 0, other: 0 },
    workflowSeconds: endToEndSeconds,
  },
  peakRssBytes: peakMiB * MiB,
  atStart: { peakBytes: 100 * MiB, currentBytes: 80 * MiB },
  copySeconds: 1,
  cpu: { cores: 2, machineBusySeconds: endToEndSeconds, workerSeconds: endToEndSeconds / 2 },
});

const results = (overrides: Partial<BenchResults> = {}): BenchResults => ({
  sizes: [size(1_000_000, 35, 200), size(5_000_000, 170, 210)],
  warmSmall: { rows: 10_000, endToEndSeconds: 2.5 },
  reaggregate: { rows: 10_000, aggregateSeconds: 0.4, daysAggregated: 1 },
  concurrency: { files: 10, rowsPerFile: 100_000, oneWorkerSeconds: 100, twoWorkersSeconds: 60 },
  peerFirstLoads: [],
  secondFile: { pipeforge: size(1_000_000, 40, 200), peer: { missing: 'peer not found' } },
  fourAtOnce: { files: 4, rowsPerFile: 1_000_000, seconds: 150, peakRssBytes: 400 * MiB },
  parseSplit: { rows: 1_000_000, oneActivitySeconds: 10, twoActivitiesSeconds: 1.5, workersUsed: 2 },
  ...overrides,
});

const verdicts = (input: BenchResults) => evaluateMeasures(input).map((measure) => measure.verdict);

describe('the five measures of the performance issue', () => {
  it('pass when every target is met', () => {
    expect(verdicts(results())).toEqual(['pass', 'pass', 'pass', 'pass', 'pass']);
  });

  it('fail each on its own target', () => {
    expect(verdicts(results({ sizes: [size(1_000_000, 41, 200), size(5_000_000, 170, 210)] }))[0]).toBe('fail');
    expect(verdicts(results({ sizes: [size(1_000_000, 35, 200), size(5_000_000, 170, 257)] }))[1]).toBe('fail');
    expect(verdicts(results({ warmSmall: { rows: 10_000, endToEndSeconds: 3.01 } }))[2]).toBe('fail');
    expect(verdicts(results({ reaggregate: { rows: 10_000, aggregateSeconds: 1.2, daysAggregated: 1 } }))[3]).toBe('fail');
    expect(
      verdicts(results({ concurrency: { files: 10, rowsPerFile: 100_000, oneWorkerSeconds: 100, twoWorkersSeconds: 71 } }))[4],
    ).toBe('fail');
  });

  it('fail memory that grows with the file even under the cap', () => {
    const measure = evaluateMeasures(results({ sizes: [size(1_000_000, 35, 150), size(5_000_000, 170, 200)] }))[1];
    expect(measure?.verdict).toBe('fail');
    expect(measure?.result).toContain('+33.3%');
  });

  it('say what was not run instead of passing it', () => {
    const quick = evaluateMeasures(results({ sizes: [size(100_000, 4, 150)], concurrency: null }));
    expect(quick[0]?.verdict).toBe('not measured');
    expect(quick[1]?.verdict).toBe('pass');
    expect(quick[1]?.result).toContain('growth needs two sizes');
    expect(quick[4]?.verdict).toBe('not measured');
  });

  it('name a re-aggregation that touched more than one day', () => {
    const measure = evaluateMeasures(results({ reaggregate: { rows: 10_000, aggregateSeconds: 0.2, daysAggregated: 2 } }))[3];
    expect(measure?.verdict).toBe('fail');
    expect(measure?.result).toContain('2 days');
  });

  it('label sizes briefly', () => {
    expect([rowsLabel(1_000_000), rowsLabel(100_000), rowsLabel(1_500)]).toEqual(['1M', '100k', '1,500']);
  });
});
