import type { BenchResults, SizeResult } from './bench-results.ts';
import type { MachineInfo } from './machine-info.ts';
import { markdownTable } from './markdown-table.ts';
import { cpuSentence, mib, type Measure } from './measures.ts';
import { reproduceSection } from './benchmark-method.ts';
import { peerParagraph, sideBySideTable } from './peer-report.ts';

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
  /** Issue #5's, those that issue #12 does not restate. */
  measures: readonly Measure[];
  issue12Measures: readonly Measure[];
};

/** BENCHMARKS.md: where and how it was measured, the targets, then each size's stages. */
export function renderBenchmarksMarkdown(input: ReportInput): string {
  const { machine } = input;
  const { results } = input;
  const peerOf = (rows: number) => results.peerFirstLoads.find((load) => load.rows === rows)?.peer ?? { missing: 'peer not run' };
  const sizes = results.sizes.flatMap((size) => [
    `### ${size.rows.toLocaleString('en-US')} lines`,
    '',
    sizeTable(size),
    '',
    peerParagraph(peerOf(size.rows)),
    '',
  ]);
  const second = results.secondFile;
  sizes.push(
    `### A second ${second.pipeforge.rows.toLocaleString('en-US')}-line file, into the populated database`,
    '',
    sizeTable(second.pipeforge),
    '',
    peerParagraph(second.peer),
    '',
  );
  return [
    '# PipeForge benchmarks',
    '',
    `Measured ${input.date.toISOString().slice(0, 16).replace('T', ' ')} UTC with \`${input.command}\`.`,
    '',
    `Machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${(machine.memoryBytes / 1024 ** 3).toFixed(1)} GiB memory, ` +
      `load average ${machine.loadAverage.map((load) => load.toFixed(2)).join(' ')} at start; Node ${machine.node}; ${machine.postgres}.`,
    '',
    '## Targets (issue #12)',
    '',
    measuresTable(input.issue12Measures),
    '',
    '## PipeForge beside the dlt peer',
    '',
    sideBySideTable(results),
    '',
    '## Other targets (issue #5)',
    '',
    measuresTable(input.measures),
    '',
    '## Stages per file size',
    '',
    ...sizes,
    ...reproduceSection(input.command),
  ].join('\n');
}

function rowsPerSecond(rows: number, seconds: number): string {
  return seconds > 0 ? Math.round(rows / seconds).toLocaleString('en-US') : '';
}
