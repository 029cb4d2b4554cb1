import { describeOutcome } from './describe-outcome.ts';
import { formatCount, formatDuration, formatPercent } from '../number-format.ts';
import type { FileProgress } from './file-progress.ts';

/** How many more rows earn another plain line during a long parse. */
const ROWS_PER_LINE = 100_000;
/** A stage that reports how far it is earns a line at each quarter. */
const STEPS_PER_STAGE = 4;

/**
 * Plain output for a pipe or a log file: one line when a file enters a stage, at each quarter of
 * a stage that reports how far it is and at each step of the load, every ROWS_PER_LINE rows
 * during the parse, and its summary at the end. Returns null when nothing is worth a line.
 */
export function renderPlainUpdate(previous: FileProgress | null, next: FileProgress): string | null {
  if (next.summary) return previous?.summary ? null : describeOutcome(next.summary);
  const stageChanged = previous === null || previous.stage !== next.stage;
  const rowsAdvanced =
    previous !== null && Math.floor(next.rowsRead / ROWS_PER_LINE) > Math.floor(previous.rowsRead / ROWS_PER_LINE);
  const stepAdvanced = previous !== null && !stageChanged && step(next) > step(previous);
  const doing = next.stageProgress?.step;
  const doingChanged = !stageChanged && doing !== undefined && doing !== previous?.stageProgress?.step;
  if (!stageChanged && !rowsAdvanced && !stepAdvanced && !doingChanged) return null;
  const fraction = next.stageProgress?.fraction;
  const percent = fraction === undefined ? '' : ` ${formatPercent(fraction)}${doing === undefined ? '' : ` ${doing}`}`;
  const eta = fraction !== undefined && fraction < 1 && typeof next.etaSeconds === 'number' ? `, ETA ${formatDuration(next.etaSeconds)}` : '';
  // A file parsed in parts counts its rows only at the end: its percentage says more than "0 rows".
  const rows = fraction !== undefined && next.rowsRead === 0 ? '' : ` (${formatCount(next.rowsRead)} rows read)`;
  return `${next.filename}: ${next.stage}${percent}${eta}${rows}`;
}

function step(file: FileProgress): number {
  const fraction = file.stageProgress?.fraction;
  return fraction === undefined ? 0 : Math.floor(fraction * STEPS_PER_STAGE);
}
