import type { BenchResults, SizeResult } from './bench-results.ts';
import type { MachineInfo } from './machine-info.ts';
import { markdownTable } from './markdown-table.ts';
import { cpuSentence, mib, type Measure } from './measures.ts';

const STAGE_LABELS = {
  hashAndClaim: 'hashAndClaim',
  parseToStaging: 'parseToStaging',
  loadFromStaging: 'loadFromStaging',
  aggregateDays: 'aggregateDays',
  other: 'other activities (outcome bookkeeping)',
} as const;

/** One size's stages, end to end and the COPY baseline, with seconds and rows per second. */
export function sizeTable(size: SizeResult): string {
  const row = (label: string, seconds: number, perRow = true) => [label, seconds.toFixed(2), perRow ? rowsPerSecond(size.rows, seconds) : ''];
  const rows = [
    // The bookkeeping activities touch one row of ingestion_files, whatever the file's size.
    ...Object.entries(STAGE_LABELS).map(([stage, label]) =>
      row(label, size.timings.stages[stage as keyof typeof STAGE_LABELS], stage !== 'other'),
    ),
    row('workflow, start → close', size.timings.workflowSeconds),
    row('`ingest --wait`, end to end', size.endToEndSeconds),
    row('COPY into an unlogged table (transport limit)', size.copySeconds),
  ];
  return [
    markdownTable(['stage', 'seconds', 'rows/s'], rows, ['left', 'right', 'right']),
    '',
    `Worker peak RSS: ${mib(size.peakRssBytes)}. Once started, before any file: peak ${mib(size.atStart.peakBytes)} ` +
      `(start-up, workflow bundling included), resident ${mib(size.atStart.currentBytes)}.`,
    '',
    `CPU, end to end: ${cpuSentence(size.cpu, size.endToEndSeconds)}.`,
  ].join('\n');
}

export function measuresTable(measures: readonly Measure[]): string {
  return markdownTable(
    ['measure', 'target', 'result', 'verdict'],
    measures.map((measure) => [measure.measure, measure.target, measure.result, measure.verdict]),
  );
}

export type ReportInput = {
  date: Date;
  machine: MachineInfo;
  command: string;
  results: BenchResults;
  measures: readonly Measure[];
};

/** BENCHMARKS.md: where and how it was measured, the targets, then each size's stages. */
export function renderBenchmarksMarkdown(input: ReportInput): string {
  const { machine } = input;
  const sizes = input.results.sizes.flatMap((size) => [`### ${size.rows.toLocaleString('en-US')} lines`, '', sizeTable(size), '']);
  return [
    '# PipeForge benchmarks',
    '',
    `Measured ${input.date.toISOString().slice(0, 16).replace('T', ' ')} UTC with \`${input.command}\`.`,
    '',
    `Machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${(machine.memoryBytes / 1024 ** 3).toFixed(1)} GiB memory, ` +
      `load average ${machine.loadAverage.map((load) => load.toFixed(2)).join(' ')} at start; Node ${machine.node}; ${machine.postgres}.`,
    '',
    '## Targets (issue #5)',
    '',
    measuresTable(input.measures),
    '',
    '## Stages per file size',
    '',
    ...sizes,
    '## Reproduce',
    '',
    '```sh',
    'npm ci',
    input.command,
    '```',
    '',
    'Options: `--sizes N,N...` (lines per big file, default `1000000,5000000`), `--skip-concurrency`,',
    '`--out FILE` (default `BENCHMARKS.md`). A quick check: `npm run bench -- --sizes 100000 --skip-concurrency --out /tmp/bench.md`.',
    '',
    'The bench starts Temporal, MinIO and PostgreSQL on loopback in a throwaway directory (as `npm run demo` does),',
    'generates the files (cached in `~/.cache/pipeforge/bench/`), and runs them through the production worker',
    '(`node src/worker.ts`, one child process per big file) and CLI (`pipeforge ingest FILE... --wait --json`).',
    '',
    '- **`ingest --wait`, end to end**: wall time of the CLI process: upload, workflow start, wait for the result.',
    '- **Stages**: from each workflow\'s history, ActivityTaskScheduled to ActivityTaskCompleted per activity type',
    '  (queueing and retries included; overlapping activities of one type counted once).',
    '- **Peak RSS**: `VmHWM` of the worker process from `/proc/<pid>/status`, read just before it stops.',
    '- **CPU**: busy time of all cores (`os.cpus()`, every process) and of the worker process (utime + stime in',
    '  `/proc/<pid>/stat`, all its threads) from the CLI\'s start to its end. Cores × wall time is what the machine could',
    '  give; what is left of the busy time is PostgreSQL, Temporal, MinIO and the CLI.',
    '- **COPY**: the same file streamed with `COPY ... FROM STDIN (FORMAT csv, HEADER match)` into a fresh unlogged',
    '  table with typed columns: the cost of moving the bytes into PostgreSQL, the floor to compare against.',
    '- **Warm worker**: a 10,000-line file on a worker that has already ingested one: a day\'s export, its orders all',
    '  on the day after the big files\' last day (so it aggregates that one new day, not weeks the big files fill).',
    '  Before it the bench runs `VACUUM (ANALYZE)` and `CHECKPOINT`, as autovacuum would after the big files, so that it',
    '  times the file and not that maintenance (autovacuum starting mid-measure once made it 13.4 s instead of 2.9 s).',
    '- **Re-aggregating one day**: the aggregateDays time of a 10,000-line file dated on one day, ingested after the big files.',
    '- **Concurrency**: ten files ingested one at a time (one CLI call each) by one worker, then ten other files in one',
    '  `ingest --wait` call with two worker processes; every file has its own order references.',
    '',
  ].join('\n');
}

function rowsPerSecond(rows: number, seconds: number): string {
  return seconds > 0 ? Math.round(rows / seconds).toLocaleString('en-US') : '';
}
