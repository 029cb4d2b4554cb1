import { describe, expect, it } from '@jest/globals';
import type { BenchResults, PeerRun, SizeResult } from '../../src/bench/bench-results.ts';
import { evaluateIssue12Measures } from '../../src/bench/measures-issue12.ts';

const MiB = 1024 * 1024;

const size = (rows: number, endToEndSeconds: number, peakMiB: number, parseSeconds = 10): SizeResult => ({
  rows,
  endToEndSeconds,
  timings: {
    stages: { hashAndClaim: 0, parseToStaging: parseSeconds, loadFromStaging: 0, aggregateDays: 0, other: 0 },
    workflowSeconds: endToEndSeconds,
  },
  peakRssBytes: peakMiB * MiB,
  atStart: { peakBytes: 100 * MiB, currentBytes: 80 * MiB },
  copySeconds: 1,
  cpu: { cores: 2, machineBusySeconds: endToEndSeconds, workerSeconds: endToEndSeconds / 2 },
});

const peer = (wallSeconds: number, peakMiB = 781): PeerRun => ({
  wallSeconds,
  steps: [{ step: 'total', seconds: wallSeconds - 1, note: `peak RSS ${peakMiB} MiB (this process)` }],
  peakRssBytes: peakMiB * MiB,
  cpu: { cores: 2, machineBusySeconds: wallSeconds * 1.5, workerSeconds: wallSeconds },
});

/** A run that meets every target of the issue. */
const results = (overrides: Partial<BenchResults> = {}): BenchResults => ({
  sizes: [size(1_000_000, 24, 300), size(5_000_000, 125, 320)],
  warmSmall: { rows: 10_000, endToEndSeconds: 2.5 },
  reaggregate: { rows: 10_000, aggregateSeconds: 0.4, daysAggregated: 1 },
  concurrency: null,
  peerFirstLoads: [
    { rows: 1_000_000, peer: peer(24) },
    { rows: 5_000_000, peer: peer(89, 2816) },
  ],
  secondFile: { pipeforge: size(1_000_000, 39, 310), peer: peer(39.7) },
  fourAtOnce: { files: 4, rowsPerFile: 1_000_000, seconds: 100, peakRssBytes: 500 * MiB },
  parseSplit: { rows: 1_000_000, oneActivitySeconds: 16, twoActivitiesSeconds: 11, workersUsed: 2 },
  ...overrides,
});

const verdicts = (input: BenchResults) => evaluateIssue12Measures(input).map((measure) => measure.verdict);

describe('the measures of the issue that compares PipeForge with the dlt peer', () => {
  it('pass when every target is met, and name each measure with its target', () => {
    const measures = evaluateIssue12Measures(results());
    expect(measures.map((measure) => measure.verdict)).toEqual(Array(9).fill('pass'));
    expect(measures.map((measure) => [measure.measure, measure.target])).toEqual([
      ['1M-line first load, end to end, PipeForge ÷ peer', '≤ 1.25× (aim ≤ 1.00×)'],
      [
        'a second 1M-line file (new orders on the next 90 days, same customers and products) into the populated database, PipeForge ÷ peer',
        '≤ 1.00×',
      ],
      ['5M-line file ÷ 1M-line file, PipeForge end to end', '≤ 5.5× (5.0× the lines)'],
      ['parse of one 1M-line file split over 2 activities ÷ the same in 1', '≤ 0.7×'],
      ["worker peak RSS, 1M and 5M lines, ÷ the peer's peak for the 1M-line file", "≤ 0.5× the peer's peak (781 MiB)"],
      ['worker peak RSS from 1M to 5M lines', 'flat (largest ≤ smallest + 10%)'],
      ['worker peak RSS, four 1M-line files at once on one worker', '≤ 512 MiB'],
      ['10,000-line file with a warm worker, `ingest --wait` start to done', '≤ 3 s'],
      ['re-aggregating one day after a file that touched only that day', '≤ 1 s'],
    ]);
    expect(measures[0]?.result).toBe('24.00 s ÷ 24.00 s = 1.00×');
    expect(measures[4]?.result).toBe('1M: 300 MiB, 5M: 320 MiB = 0.38×, 0.41×');
  });

  it('fail each on its own target', () => {
    expect(verdicts(results({ sizes: [size(1_000_000, 30.1, 300), size(5_000_000, 125, 320)] }))[0]).toBe('fail');
    expect(verdicts(results({ secondFile: { pipeforge: size(1_000_000, 40, 310), peer: peer(39.7) } }))[1]).toBe('fail');
    expect(verdicts(results({ sizes: [size(1_000_000, 24, 300), size(5_000_000, 132.1, 320)] }))[2]).toBe('fail');
    expect(verdicts(results({ parseSplit: { rows: 1_000_000, oneActivitySeconds: 16, twoActivitiesSeconds: 11.3, workersUsed: 2 } }))[3]).toBe('fail');
    expect(verdicts(results({ sizes: [size(1_000_000, 24, 391), size(5_000_000, 125, 391)] }))[4]).toBe('fail');
    expect(verdicts(results({ sizes: [size(1_000_000, 24, 300), size(5_000_000, 125, 331)] }))[5]).toBe('fail');
    expect(verdicts(results({ fourAtOnce: { files: 4, rowsPerFile: 1_000_000, seconds: 100, peakRssBytes: 513 * MiB } }))[6]).toBe('fail');
    expect(verdicts(results({ warmSmall: { rows: 10_000, endToEndSeconds: 3.2 } }))[7]).toBe('fail');
    expect(verdicts(results({ reaggregate: { rows: 10_000, aggregateSeconds: 1.1, daysAggregated: 1 } }))[8]).toBe('fail');
  });

  it('compare the peak with the peer on the first size, not on the bigger file where the peer holds far more', () => {
    const measure = evaluateIssue12Measures(results({ sizes: [size(1_000_000, 24, 400), size(5_000_000, 125, 400)] }))[4];
    expect(measure?.result).toBe('1M: 400 MiB, 5M: 400 MiB = 0.51×, 0.51×');
    expect(measure?.verdict).toBe('fail');
  });

  it('say how many workers the split parse ran on beside the ratio', () => {
    const measure = evaluateIssue12Measures(results({ parseSplit: { rows: 1_000_000, oneActivitySeconds: 16, twoActivitiesSeconds: 12, workersUsed: 1 } }))[3];
    expect(measure?.result).toBe('12.00 s (on 1 worker) ÷ 16.00 s = 0.75×');
    expect(measure?.verdict).toBe('fail');
  });

  it('say the peer is missing in its cells instead of comparing with nothing', () => {
    const missing = { missing: 'peer not found' };
    const measures = evaluateIssue12Measures(
      results({
        peerFirstLoads: [
          { rows: 1_000_000, peer: missing },
          { rows: 5_000_000, peer: missing },
        ],
        secondFile: { pipeforge: size(1_000_000, 39, 310), peer: missing },
      }),
    );
    expect(measures.slice(0, 2).map((measure) => measure.result)).toEqual(['PipeForge 24.00 s; peer not found', 'PipeForge 39.00 s; peer not found']);
    expect(measures[4]?.result).toBe('1M: 300 MiB, 5M: 320 MiB; peer not found');
    expect(measures.slice(0, 5).map((measure) => measure.verdict)).toEqual(['not measured', 'not measured', 'pass', 'pass', 'not measured']);
  });

  it('measure a quick run on its own sizes, the growth target scaled to its ratio of lines', () => {
    const quick = evaluateIssue12Measures(
      results({
        sizes: [size(20_000, 2, 250), size(50_000, 5.4, 252)],
        peerFirstLoads: [{ rows: 20_000, peer: peer(2) }],
        secondFile: { pipeforge: size(20_000, 2.2, 250), peer: peer(2.5) },
      }),
    );
    expect(quick[0]?.measure).toBe('20k-line first load, end to end, PipeForge ÷ peer');
    expect(quick[2]).toEqual({
      measure: '50k-line file ÷ 20k-line file, PipeForge end to end',
      target: '≤ 2.8× (2.5× the lines)',
      result: '5.40 s ÷ 2.00 s = 2.70×',
      verdict: 'pass',
    });
    expect(quick[4]?.measure).toBe("worker peak RSS, 20k and 50k lines, ÷ the peer's peak for the 20k-line file");
  });

  it('need two sizes for the growth and the flatness', () => {
    const one = evaluateIssue12Measures(results({ sizes: [size(1_000_000, 24, 300)] }));
    expect([one[2]?.verdict, one[5]?.verdict]).toEqual(['not measured', 'not measured']);
    expect(one[2]?.result).toBe('needs two sizes');
  });
});
