import { describeOutcome } from './describe-outcome.ts';
import { formatCount } from '../number-format.ts';
import type { FileProgress } from './file-progress.ts';

/** How many more rows earn another plain line during a long parse. */
const ROWS_PER_LINE = 100_000;

/**
 * Plain output for a pipe or a log file: one line when a file enters a stage, every
 * ROWS_PER_LINE rows during the parse, and its summary at the end. Returns null when nothing is
 * worth a line.
 */
export function renderPlainUpdate(previous: FileProgress | null, next: FileProgress): string | null {
  if (next.summary) return previous?.summary ? null : describeOutcome(next.summary);
  const stageChanged = previous === null || previous.stage !== next.stage;
  const rowsAdvanced =
    previous !== null && Math.floor(next.rowsRead / ROWS_PER_LINE) > Math.floor(previous.rowsRead / ROWS_PER_LINE);
  if (!stageChanged && !rowsAdvanced) return null;
  return `${next.filename}: ${next.stage} (${formatCount(next.rowsRead)} rows read)`;
}
