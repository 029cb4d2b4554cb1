/**
 * The words IngestFileWorkflow shows in the Temporal Web UI: its current details (what has
 * happened so far, rewritten at every stage) and the summary of each activity it schedules. Only
 * names, counts, ids and keys, like the rest of its history. Workflow code imports this module, so
 * it stays pure and deterministic (no Intl: separators are placed by hand).
 */
import type { IngestProgress, IngestStatus } from './ingest-file-contract.ts';

export type IngestDetailsState = {
  filename: string;
  progress: IngestProgress;
  /** The final status once there is one; until then the stage says where the file is. */
  status?: IngestStatus;
  aggregatedDays?: number;
  rejectsReportKey?: string | null;
  duplicateOf?: string | null;
  error?: string;
  /** A run reset after it had completed the file: it reports that outcome and loads nothing again. */
  rerun?: boolean;
};

const SEPARATED = /\B(?=(\d{3})+(?!\d))/g;

export function countText(value: number): string {
  return String(Math.round(value)).replace(SEPARATED, ',');
}

function plural(count: number, one: string, many: string): string {
  return `${countText(count)} ${count === 1 ? one : many}`;
}

function headline(state: IngestDetailsState): string {
  const { filename, progress, status } = state;
  const rows = `${plural(progress.rowsRead, 'row', 'rows')}, ${countText(progress.rowsRejected)} rejected`;
  switch (status) {
    case 'completed':
      return `${filename}: ${rows}, completed`;
    case 'failed':
      return `${filename}: failed: ${state.error ?? 'see the failure below'}`;
    case 'duplicate':
      return `${filename}: duplicate of file ${state.duplicateOf ?? progress.fileId ?? ''}, nothing loaded again`;
    case 'cancelled':
      return `${filename}: cancelled before its load, nothing of it was kept`;
    default:
      break;
  }
  switch (progress.stage) {
    case 'queued':
    case 'hash-dedupe':
      return `${filename}: hashing and claiming…`;
    case 'parse':
      return `${filename}: parsing…`;
    case 'load':
      return `${filename}: ${rows}; loading…`;
    case 'aggregate':
      return `${filename}: ${plural(progress.rowsLoaded, 'row', 'rows')} loaded; aggregating its days…`;
    case 'done':
      return `${filename}: done`;
  }
}

/** The workflow's current details: a headline, then the counts and where to look next (Markdown). */
export function ingestDetails(state: IngestDetailsState): string {
  const { progress } = state;
  const facts: string[] = [];
  const fileId = progress.fileId;
  if (fileId !== null) facts.push(`File id: \`${fileId}\``);
  if (progress.stage !== 'queued' && progress.stage !== 'hash-dedupe' && progress.stage !== 'parse') {
    facts.push(`Rows read: ${countText(progress.rowsRead)}`);
    facts.push(`Rows rejected: ${countText(progress.rowsRejected)}`);
  }
  if (state.status === 'completed' || (state.status === undefined && progress.stage === 'aggregate')) {
    facts.push(`Rows loaded: ${countText(progress.rowsLoaded)}`);
  }
  if (state.aggregatedDays !== undefined) facts.push(`Days aggregated: ${countText(state.aggregatedDays)}`);
  if (state.rerun) facts.push('Reset after it had completed: the recorded outcome, nothing loaded again');
  if (state.rejectsReportKey) facts.push(`Rejects report: \`${state.rejectsReportKey}\` (in the bucket)`);
  if (fileId !== null && state.status !== 'cancelled') {
    const commands = [`\`pipeforge status ${fileId}\``];
    if (progress.rowsRejected > 0) commands.push(`\`pipeforge rejects ${fileId}\``);
    facts.push(`More: ${commands.join(', ')}`);
  }
  return [headline(state), ...facts.map((fact) => `- ${fact}`)].join('\n');
}

/** What each activity of the file does, as the Web UI's timeline names it. */
export const activitySummaries = {
  hashAndClaim: (filename: string) => `${filename}: hash the stored bytes and claim the content`,
  parseToStaging: (filename: string) => `${filename}: parse and validate every line into staging`,
  parseRange: (filename: string, rangeIndex: number, parts: number) =>
    `${filename}: parse part ${rangeIndex + 1} of ${parts} into staging`,
  finishParse: (filename: string) => `${filename}: check whole orders, count rows and write the rejects report`,
  loadFromStaging: (filename: string) => `${filename}: load the staged rows into orders`,
  aggregateDays: (filename: string) => `${filename}: recompute the daily sales of its days`,
  markFileCompleted: (filename: string) => `${filename}: record the file as completed`,
  markFileFailed: (filename: string) => `${filename}: record the failure; keep its rejects`,
  discardCancelledIngestion: (filename: string) => `${filename}: discard what the cancelled ingestion left`,
} as const;
