import { describe, expect, it } from '@jest/globals';
import type { BenchResults } from '../../src/bench/bench-results.ts';
import { renderBenchmarksMarkdown, sizeTable } from '../../src/bench/benchmark-report.ts';
import { markdownTable } from '../../src/bench/markdown-table.ts';
import { evaluateMeasures } from '../../src/bench/measures.ts';
import { evaluateIssue12Measures } from '../../src/bench/measures-issue12.ts';

const MiB = 1024 * 1024;
const results: BenchResults = {
  sizes: [
    {
      rows: 100_000,
      endToEndSeconds: 5,
      timings: {
        stages: { hashAndClaim: 0.2, parseToStaging: 2, loadFromStaging: 1.6, aggregateDays: 0.5, other: 0.05 },
        workflowSeconds: 4.5,
      },
      peakRssBytes: 180 * MiB,
      atStart: { peakBytes: 120 * MiB, currentBytes: 90 * MiB },
      copySeconds: 0.25,
      cpu: { cores: 2, machineBusySeconds: 7.5, workerSeconds: 3 },
    },
  ],
  warmSmall: { rows: 10_000, endToEndSeconds: 1.5 },
  reaggregate: { rows: 10_000, aggregateSeconds: 0.1, daysAggregated: 1 },
  concurrency: null,
  peerFirstLoads: [{ rows: 100_000, peer: { missing: 'peer not found' } }],
  secondFile: {
    pipeforge: {
      rows: 100_000,
      endToEndSeconds: 6,
      timings: {
        stages: { hashAndClaim: 0.2, parseToStaging: 2, loadFromStaging: 2.4, aggregateDays: 0.7, other: 0.05 },
        workflowSeconds: 5.5,
      },
      peakRssBytes: 185 * MiB,
      atStart: { peakBytes: 120 * MiB, currentBytes: 90 * MiB },
      copySeconds: 0.25,
      cpu: { cores: 2, machineBusySeconds: 9, workerSeconds: 3 },
    },
    peer: { missing: 'peer not found' },
  },
  fourAtOnce: { files: 4, rowsPerFile: 100_000, seconds: 12, peakRssBytes: 300 * MiB },
  parseSplit: { rows: 100_000, oneActivitySeconds: 2, twoActivitiesSeconds: 1.5, workersUsed: 2 },
};

describe('the benchmark report', () => {
  it('aligns Markdown tables and escapes pipes', () => {
    expect(markdownTable(['a', 'n'], [['x|y', '1'], ['long text', '22']], ['left', 'right'])).toBe(
      ['| a         |   n |', '| --------- | --: |', '| x\\|y      |   1 |', '| long text |  22 |'].join('\n'),
    );
  });

  it('gives each stage its seconds and rows per second', () => {
    const table = sizeTable(results.sizes[0]!);
    expect(table).toMatch(/\| parseToStaging +\| +2\.00 \| +50,000 \|/);
    expect(table).toMatch(/\| COPY into an unlogged table \(transport limit\) +\| +0\.25 \| +400,000 \|/);
    expect(table).toContain('Worker peak RSS: 180 MiB. Once started, before any file: peak 120 MiB');
    expect(table).toContain('resident 90 MiB');
    expect(table).toContain(
      'CPU, end to end: 7.5 of 10.0 core-seconds busy (75 % of 2 cores over 5.00 s): the worker process 3.0, ' +
        'everything else (PostgreSQL, Temporal, MinIO, the CLI) 4.5.',
    );
    expect(table).toMatch(/\| other activities \(outcome bookkeeping\) +\| +0\.05 \| +\|/);
  });

  it('says where, when and how to reproduce', () => {
    const text = renderBenchmarksMarkdown({
      date: new Date('2026-05-01T10:20:00Z'),
      machine: {
        cpus: 2,
        cpuModel: 'Test CPU',
        memoryBytes: 24 * 1024 ** 3,
        loadAverage: [0.5, 0.25, 0.1],
        node: 'v24.0.0',
        postgres: 'PostgreSQL 18.0',
      },
      command: 'npm run bench -- --sizes 100000 --skip-concurrency',
      results,
      measures: evaluateMeasures(results),
      issue12Measures: evaluateIssue12Measures(results),
    });
    expect(text).toContain('Measured 2026-05-01 10:20 UTC');
    expect(text).toContain('2 CPUs (Test CPU), 24.0 GiB memory');
    expect(text).toContain('PostgreSQL 18.0');
    expect(text).toContain('```sh\nnpm ci\nnpm run bench -- --sizes 100000 --skip-concurrency\n```');
    expect(text).toContain('### 100,000 lines');
    expect(text).toContain('not run (--skip-concurrency)');
  });
});
