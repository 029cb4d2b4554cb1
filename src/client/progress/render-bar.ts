import { describeOutcome } from './describe-outcome.ts';
import { formatBytes, formatCount, formatDuration, formatPercent } from '../number-format.ts';
import { STAGES, type FileProgress } from './file-progress.ts';
import type { StageProgress } from './stage-progress.ts';

const STAGE_LABELS: Record<string, string> = {
  queued: 'queued',
  'hash-dedupe': 'hashing',
  parse: 'parsing',
  load: 'loading',
  aggregate: 'aggregating',
  done: 'done',
};

/**
 * One line per file for a terminal: a bar over the four stages, filled within the current stage
 * as far as its activities report (bytes hashed or parsed, the load's steps, days aggregated), with
 * that stage's percentage and time left. A stage that reports nothing shows its cell and the row count only.
 */
export function renderBarLine(file: FileProgress, options: { nameWidth: number; barWidth: number }): string {
  const name = fit(file.filename, options.nameWidth);
  if (file.summary) return `${name}  ${describeOutcome(file.summary).slice(file.summary.filename.length + 2)}`;
  const working = STAGES.indexOf(file.stage) - 1; // queued = -1, hash-dedupe = 0 ... aggregate = 3
  const within = working >= 0 ? (file.stageProgress?.fraction ?? 0) : 0;
  const filled = Math.max(0, Math.round(((Math.max(working, 0) + within) / 4) * options.barWidth));
  const current = working >= 0 && working < 4 && filled < options.barWidth ? 1 : 0;
  const bar = '█'.repeat(filled) + '▒'.repeat(current);
  const label = (STAGE_LABELS[file.stage] ?? file.stage).padEnd(11);
  const rejected = file.rowsRejected > 0 ? `, ${formatCount(file.rowsRejected)} rejected` : '';
  const rate = file.rate !== null && file.rate > 0 && file.stage === 'parse' ? `  ${formatCount(file.rate)} rows/s` : '';
  const head = `${name} [${bar.padEnd(options.barWidth, '░')}] ${label}`;
  const stage = file.stageProgress;
  if (stage) {
    const eta = file.etaSeconds !== null && file.etaSeconds !== undefined && stage.fraction < 1 ? `  ETA ${formatDuration(file.etaSeconds)}` : '';
    return `${head} ${formatPercent(stage.fraction).padStart(4)}${eta}${stageCounts(file, stage)}${rejected}${rate}`;
  }
  const rows = `${formatCount(file.rowsRead)} rows`;
  const loaded = file.rowsLoaded > 0 ? `, ${formatCount(file.rowsLoaded)} loaded` : '';
  return `${head} ${rows}${loaded}${rejected}${rate}`;
}

/** What the stage's percentage is of, and the rows known so far. */
function stageCounts(file: FileProgress, stage: StageProgress): string {
  const rows = file.rowsRead > 0 ? `${formatCount(file.rowsRead)} rows` : '';
  const known = stage.done !== null && stage.total !== null;
  switch (stage.unit) {
    case 'bytes': {
      const bytes = known ? `${formatBytes(stage.done ?? 0)} of ${formatBytes(stage.total ?? 0)}` : '';
      const parts = [bytes, rows].filter((part) => part !== '');
      return parts.length > 0 ? `  ${parts.join(', ')}` : '';
    }
    case 'rows': {
      const loaded = known ? `${formatCount(stage.done ?? 0)} of ${formatCount(stage.total ?? 0)} rows loaded` : '';
      if (stage.step === undefined) return loaded === '' ? '' : `  ${loaded}`;
      // A load in one chunk commits its rows at the end: until then its step says where it is.
      return `  ${stage.step}${(stage.done ?? 0) > 0 ? `, ${loaded}` : ''}`;
    }
    case 'days': {
      const loaded = file.rowsLoaded > 0 ? `, ${formatCount(file.rowsLoaded)} rows loaded` : '';
      return known ? `  ${formatCount(stage.done ?? 0)} of ${formatCount(stage.total ?? 0)} days${loaded}` : '';
    }
  }
}

/**
 * Redraws a block of lines in place: moves the cursor up over the block drawn last time, and
 * clears each line before writing it.
 */
export function renderFrame(lines: readonly string[], previousLineCount: number): string {
  const up = previousLineCount > 0 ? `\u001b[${previousLineCount}A` : '';
  return `${up}${lines.map((line) => `\r\u001b[2K${line}\n`).join('')}`;
}

/**
 * The last drawing of the block, never redrawn after: the lines whole (the terminal wraps the long
 * ones), over a screen cleared from the block's first row down, as a wrapped line also covers rows
 * that were not the start of a line.
 */
export function renderFinalFrame(lines: readonly string[], previousLineCount: number): string {
  const up = previousLineCount > 0 ? `\u001b[${previousLineCount}A` : '';
  return `${up}\r\u001b[J${lines.map((line) => `${line}\n`).join('')}`;
}

/**
 * A line cut to `width` characters, ending in … when cut. A terminal wraps a longer line onto a
 * second row, and the redraw, which moves up one row per line, would then leave rows behind.
 */
export function fitLine(line: string, width: number): string {
  const characters = [...line];
  if (characters.length <= width) return line;
  return `${characters.slice(0, Math.max(0, width - 1)).join('')}…`;
}

function fit(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}
