import type { IngestSummary } from '../../workflows/ingest-file-contract.ts';
import { rowsPerSecond, secondsLeft, type FileProgress, type FractionSample, type RateSample } from './file-progress.ts';
import { fitLine, renderBarLine, renderFinalFrame, renderFrame } from './render-bar.ts';
import { renderPlainUpdate } from './render-lines.ts';
import type { LiveProgress } from './stage-progress.ts';

export type ProgressDisplay = {
  update(index: number, progress: LiveProgress): void;
  finish(index: number, summary: IngestSummary): void;
};

export type DisplayOptions = {
  /** A terminal gets bars redrawn in place; anything else gets plain lines. */
  tty: boolean;
  /** The terminal's width, read at every redraw when given as a function (it can be resized). */
  columns: number | (() => number);
  write: (text: string) => void;
  now?: () => number;
};

const RATE_WINDOW = 6;
/** Samples of a stage's progress the time left is estimated over: the last few seconds of polls. */
const ETA_WINDOW = 12;

/**
 * Keeps one FileProgress per file and draws it as the terminal (or a pipe) wants it. On a terminal
 * every line is cut to the width while bars are redrawn; once every file has its outcome the block
 * is drawn a last time with the outcomes whole, as nothing is redrawn over it after that.
 */
export function createProgressDisplay(filenames: readonly string[], options: DisplayOptions): ProgressDisplay {
  const now = options.now ?? Date.now;
  const columns = typeof options.columns === 'function' ? options.columns : () => options.columns as number;
  const files: FileProgress[] = filenames.map((filename) => ({
    filename,
    stage: 'queued',
    rowsRead: 0,
    rowsLoaded: 0,
    rowsRejected: 0,
    rate: null,
    summary: null,
    stageProgress: null,
    etaSeconds: null,
  }));
  const samples: RateSample[][] = filenames.map(() => []);
  const stageSamples: FractionSample[][] = filenames.map(() => []);
  const longestName = Math.max(8, ...filenames.map((name) => name.length));
  const nameWidth = Math.min(30, longestName);
  let drawn = 0;

  const draw = (index: number, previous: FileProgress) => {
    const next = files[index];
    if (!next) return;
    if (options.tty) {
      const width = Math.max(20, columns());
      // A narrow terminal shortens the names first, so the percentage and time left stay in view.
      const last = files.every((file) => file.summary !== null);
      const names = last ? longestName : Math.min(nameWidth, Math.max(8, width - 50));
      const barWidth = Math.max(10, Math.min(24, width - names - 60));
      const lines = files.map((file) => renderBarLine(file, { nameWidth: names, barWidth }));
      options.write(last ? renderFinalFrame(lines, drawn) : renderFrame(lines.map((line) => fitLine(line, width - 1)), drawn));
      drawn = files.length;
    } else {
      const line = renderPlainUpdate(previous, next);
      if (line !== null) options.write(`${line}\n`);
    }
  };

  if (options.tty) draw(0, files[0] as FileProgress);
  return {
    update(index, progress) {
      const previous = files[index];
      if (!previous || previous.summary) return;
      const at = now();
      const fileSamples = samples[index] ?? [];
      fileSamples.push({ atMs: at, rows: progress.rowsRead });
      if (fileSamples.length > RATE_WINDOW) fileSamples.shift();
      const sameStage = progress.stage === previous.stage;
      const reported = progress.stageProgress ?? null;
      // Between two activities of a stage (a part of the parse finished, the next step not yet
      // scheduled) nothing reports: the share shown stays rather than falling back to none.
      const stageProgress = reported ?? (sameStage ? (previous.stageProgress ?? null) : null);
      const fractions = stageSamples[index] ?? [];
      // A new stage starts its estimate over.
      if (!sameStage) fractions.length = 0;
      if (reported !== null) fractions.push({ atMs: at, fraction: reported.fraction });
      if (fractions.length > ETA_WINDOW) fractions.shift();
      files[index] = {
        ...previous,
        ...pick(progress),
        rate: rowsPerSecond(fileSamples),
        stageProgress,
        etaSeconds: secondsLeft(fractions),
      };
      draw(index, previous);
    },
    finish(index, summary) {
      const previous = files[index];
      if (!previous) return;
      files[index] = { ...previous, ...pick(summary), stage: 'done', summary, stageProgress: null, etaSeconds: null };
      draw(index, previous);
    },
  };
}

function pick(progress: Pick<LiveProgress, 'rowsRead' | 'rowsLoaded' | 'rowsRejected'> & { stage?: LiveProgress['stage'] }) {
  return {
    ...(progress.stage ? { stage: progress.stage } : {}),
    rowsRead: progress.rowsRead,
    rowsLoaded: progress.rowsLoaded,
    rowsRejected: progress.rowsRejected,
  };
}
