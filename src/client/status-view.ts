import type { WorkflowExecutionDescription } from '@temporalio/client';
import { rejectsReportKey } from '../storage/object-keys.ts';
import { IngestSearchAttributes, type IngestSummary } from '../workflows/ingest-file-contract.ts';
import { awaitIngestion } from './await-ingestion.ts';
import { formatBytes, formatCount, formatPercent } from './number-format.ts';
import type { LiveProgress, StageProgress } from './progress/stage-progress.ts';
import { startedInput } from './started-input.ts';
import type { IngestHandle } from './await-ingestion.ts';

/** What `pipeforge status` shows; the JSON form is this object as it is. */
export type StatusView = {
  workflowId: string;
  runId: string;
  workflowStatus: string;
  ingestStatus: string | null;
  fileId: string | null;
  filename: string | null;
  startedAt: string;
  closedAt: string | null;
  /** The workflow's progress query, with how far the current stage is when its activities say. */
  progress: LiveProgress | null;
  /** The outcome of a closed run: its counts, and for a failure the reason. */
  summary: IngestSummary | null;
  /** The MinIO object with the rejected lines as they were in the file, when there were any. */
  rejectsReport: string | null;
  /** What to run next, for a person. */
  next: string[];
};

export async function statusView(
  handle: IngestHandle,
  description: WorkflowExecutionDescription,
  progress: LiveProgress | null,
): Promise<StatusView> {
  const attributes = description.typedSearchAttributes;
  const workflowStatus = description.status.name;
  // A closed run's result is already on the server: reading it does not wait.
  const summary = workflowStatus === 'RUNNING' ? null : await awaitIngestion(handle).catch(() => null);
  const rejected = summary?.rowsRejected ?? progress?.rowsRejected ?? 0;
  const objectKey = rejected > 0 ? await startedInput(handle).then((input) => input.objectKey, () => null) : null;
  const fileId = attributes.get(IngestSearchAttributes.ingestionFileId) ?? summary?.fileId ?? null;
  return {
    workflowId: handle.workflowId,
    runId: description.runId,
    workflowStatus,
    ingestStatus: attributes.get(IngestSearchAttributes.ingestStatus) ?? null,
    fileId,
    filename: attributes.get(IngestSearchAttributes.filename) ?? null,
    startedAt: description.startTime.toISOString(),
    closedAt: description.closeTime?.toISOString() ?? null,
    progress,
    summary,
    rejectsReport: objectKey === null ? null : rejectsReportKey(objectKey),
    next: nextCommands(handle.workflowId, fileId, summary, rejected),
  };
}

function nextCommands(workflowId: string, fileId: string | null, summary: IngestSummary | null, rejected: number): string[] {
  const id = fileId || workflowId;
  if (summary === null) return [`pipeforge status ${workflowId} --follow`];
  const next: string[] = [];
  if (rejected > 0) next.push(`pipeforge rejects ${id}`);
  if (summary.status === 'duplicate' && summary.duplicateOf) next.push(`pipeforge status ${summary.duplicateOf}`);
  if (summary.status === 'failed' || summary.status === 'cancelled') next.push(`pipeforge retry ${id}   (once the cause is fixed)`);
  return next;
}

const count = formatCount;

/** The view as aligned `key  value` lines. */
export function statusLines(view: StatusView): string[] {
  const rows: Array<[string, string]> = [
    ['workflow', `${view.workflowId} (run ${view.runId})`],
    ['file', `${view.filename ?? '?'}${view.fileId ? ` (file ${view.fileId})` : ''}`],
    ['status', `${view.ingestStatus ?? '?'} (workflow ${view.workflowStatus.toLowerCase()})`],
    ['started', view.startedAt],
  ];
  if (view.closedAt) rows.push(['closed', view.closedAt]);
  const { summary, progress } = view;
  if (summary?.status === 'failed' || summary?.status === 'cancelled') rows.push(['reason', summary.error ?? summary.status]);
  if (summary?.status === 'duplicate') rows.push(['duplicate of', `file ${summary.duplicateOf ?? '?'} (nothing changed)`]);
  const counts = summary ?? progress;
  if (counts) {
    const rows_ = `${count(counts.rowsRead)} read, ${count(counts.rowsLoaded)} loaded, ${count(counts.rowsRejected)} rejected`;
    rows.push(['rows', summary ? `${rows_}; ${count(summary.aggregatedDays)} days aggregated` : rows_]);
  }
  if (!summary && progress) rows.push(['stage', `${progress.stage}${stageDetail(progress.stageProgress ?? null)}`]);
  if (view.rejectsReport) rows.push(['rejects report', `${view.rejectsReport} (in the MinIO bucket)`]);
  view.next.forEach((command, index) => rows.push([index === 0 ? 'next' : '', command]));
  const width = Math.max(...rows.map(([key]) => key.length));
  return rows.map(([key, value]) => `${key.padEnd(width)}  ${value}`);
}

/** How far the stage is, in the words of the progress bar: " 42% (126.0 MiB of 300.0 MiB)". */
function stageDetail(stage: StageProgress | null): string {
  if (stage === null) return '';
  const format = stage.unit === 'bytes' ? formatBytes : formatCount;
  const unit = stage.unit === 'bytes' ? '' : ` ${stage.unit}`;
  const of = stage.done !== null && stage.total !== null ? ` (${format(stage.done)} of ${format(stage.total)}${unit})` : '';
  const step = stage.step === undefined ? '' : ` ${stage.step}`;
  return ` ${formatPercent(stage.fraction)}${step}${of}`;
}
