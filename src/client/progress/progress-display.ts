import type { IngestProgress, IngestSummary } from '../../workflows/ingest-file-contract.ts';
import { rowsPerSecond, type FileProgress, type RateSample } from './file-progress.ts';
import { renderBarLine, renderFrame } from './render-bar.ts';
import { renderPlainUpdate } from './render-lines.ts';

export type ProgressDisplay = {
  update(index: number, progress: IngestProgress): void;
  finish(index: number, summary: IngestSummary): void;
};

export type DisplayOptions = {
  /** A terminal gets bars redrawn in place; anything else gets plain lines. */
  tty: boolean;
  columns: number;
  write: (text: string) => void;
  now?: () => number;
};

const RATE_WINDOW = 6;

/** Keeps one FileProgress per file and draws it as the terminal (or a pipe) wants it. */
export function createProgressDisplay(filenames: readonly string[], options: DisplayOptions): ProgressDisplay {
  const now = options.now ?? Date.now;
  const files: FileProgress[] = filenames.map((filename) => ({
    filename,
    stage: 'queued',
    rowsRead: 0,
    rowsLoaded: 0,
    rowsRejected: 0,
    rate: null,
    summary: null,
  }));
  const samples: RateSample[][] = filenames.map(() => []);
  const nameWidth = Math.min(30, Math.max(8, ...filenames.map((name) => name.length)));
  const barWidth = Math.max(10, Math.min(24, options.columns - nameWidth - 60));
  let drawn = 0;

  const draw = (index: number, previous: FileProgress) => {
    const next = files[index];
    if (!next) return;
    if (options.tty) {
      options.write(renderFrame(files.map((file) => renderBarLine(file, { nameWidth, barWidth })), drawn));
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
      const fileSamples = samples[index] ?? [];
      fileSamples.push({ atMs: now(), rows: progress.rowsRead });
      if (fileSamples.length > RATE_WINDOW) fileSamples.shift();
      files[index] = { ...previous, ...pick(progress), rate: rowsPerSecond(fileSamples) };
      draw(index, previous);
    },
    finish(index, summary) {
      const previous = files[index];
      if (!previous) return;
      files[index] = { ...previous, ...pick(summary), stage: 'done', summary };
      draw(index, previous);
    },
  };
}

function pick(progress: Pick<IngestProgress, 'rowsRead' | 'rowsLoaded' | 'rowsRejected'> & { stage?: IngestProgress['stage'] }) {
  return {
    ...(progress.stage ? { stage: progress.stage } : {}),
    rowsRead: progress.rowsRead,
    rowsLoaded: progress.rowsLoaded,
    rowsRejected: progress.rowsRejected,
  };
}
