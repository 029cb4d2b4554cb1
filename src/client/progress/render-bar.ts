import { describeOutcome } from './describe-outcome.ts';
import { formatCount } from '../number-format.ts';
import { STAGES, type FileProgress } from './file-progress.ts';

const STAGE_LABELS: Record<string, string> = {
  queued: 'queued',
  'hash-dedupe': 'hashing',
  parse: 'parsing',
  load: 'loading',
  aggregate: 'aggregating',
  done: 'done',
};

/**
 * One line per file for a terminal: a bar over the four stages (the row total is unknown until
 * the parse ends, so the bar measures stages, and the row count and rate say how far a stage is).
 */
export function renderBarLine(file: FileProgress, options: { nameWidth: number; barWidth: number }): string {
  const name = fit(file.filename, options.nameWidth);
  if (file.summary) return `${name}  ${describeOutcome(file.summary).slice(file.summary.filename.length + 2)}`;
  const working = STAGES.indexOf(file.stage) - 1; // queued = -1, hash-dedupe = 0 ... aggregate = 3
  const filled = Math.max(0, Math.round((Math.max(working, 0) / 4) * options.barWidth));
  const current = working >= 0 && working < 4 ? 1 : 0;
  const bar = '█'.repeat(filled) + '▒'.repeat(Math.min(current, options.barWidth - filled));
  const rows = `${formatCount(file.rowsRead)} rows`;
  const rejected = file.rowsRejected > 0 ? `, ${formatCount(file.rowsRejected)} rejected` : '';
  const loaded = file.rowsLoaded > 0 ? `, ${formatCount(file.rowsLoaded)} loaded` : '';
  const rate = file.rate !== null && file.rate > 0 && file.stage === 'parse' ? `  ${formatCount(file.rate)} rows/s` : '';
  return `${name} [${bar.padEnd(options.barWidth, '░')}] ${(STAGE_LABELS[file.stage] ?? file.stage).padEnd(11)} ${rows}${loaded}${rejected}${rate}`;
}

/**
 * Redraws a block of lines in place: moves the cursor up over the block drawn last time, and
 * clears each line before writing it.
 */
export function renderFrame(lines: readonly string[], previousLineCount: number): string {
  const up = previousLineCount > 0 ? `\u001b[${previousLineCount}A` : '';
  return `${up}${lines.map((line) => `\r\u001b[2K${line}\n`).join('')}`;
}

function fit(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}
