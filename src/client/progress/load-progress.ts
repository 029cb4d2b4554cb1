import type { IngestProgress, LoadHeartbeatDetails, LoadStep } from '../../workflows/ingest-file-contract.ts';
import { numberField, ratio, type StageProgress } from './stage-share.ts';

/** The load's steps as the progress line names them, after "loading". */
const STEP_WORDS: Record<LoadStep, string> = {
  prepare: 'customers and products',
  orders: 'orders',
  'order-lines': 'order lines',
  indexes: 'rebuilding indexes',
  finish: 'finishing',
};

/**
 * The load's share from its steps, with the rows of its committed chunks beside it (a file loaded
 * in one chunk commits them all at once, at the end). Details heartbeated before the steps were
 * reported give the share of rows committed only.
 */
export function loadProgress(progress: IngestProgress, details: unknown): StageProgress | null {
  const rowsLoaded = numberField(details, 'rowsLoaded' satisfies keyof LoadHeartbeatDetails);
  if (rowsLoaded === null) return null;
  const rows = ratio(rowsLoaded, Math.max(progress.rowsRead - progress.rowsRejected, rowsLoaded), 'rows');
  const stepsDone = numberField(details, 'stepsDone' satisfies keyof LoadHeartbeatDetails);
  const step = stepOf(details);
  if (stepsDone === null || step === null) return rows;
  return { ...rows, fraction: Math.min(1, Math.max(0, stepsDone)), step: STEP_WORDS[step] };
}

function stepOf(details: unknown): LoadStep | null {
  if (typeof details !== 'object' || details === null) return null;
  const step = (details as Record<string, unknown>)['step' satisfies keyof LoadHeartbeatDetails];
  return typeof step === 'string' && Object.hasOwn(STEP_WORDS, step) ? (step as LoadStep) : null;
}
