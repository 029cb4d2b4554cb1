import { describe, expect, it } from '@jest/globals';
import { formatBytes, formatDuration, formatPercent } from '../../src/client/number-format.ts';
import { secondsLeft, type FileProgress } from '../../src/client/progress/file-progress.ts';
import { createProgressDisplay } from '../../src/client/progress/progress-display.ts';
import { fitLine, renderBarLine } from '../../src/client/progress/render-bar.ts';
import { renderPlainUpdate } from '../../src/client/progress/render-lines.ts';
import { stageProgressOf, type LiveProgress, type StageProgress } from '../../src/client/progress/stage-progress.ts';
import { statusLines, type StatusView } from '../../src/client/status-view.ts';
import type { IngestProgress, IngestSummary } from '../../src/workflows/ingest-file-contract.ts';
import { createVirtualTerminal } from '../support/virtual-terminal.ts';
import { liveProgress } from '../support/live-progress.ts';

const progress = liveProgress;

const summary = (overrides: Partial<IngestSummary> = {}): IngestSummary => ({
  fileId: 'f-1',
  filename: 'orders.csv',
  status: 'completed',
  rowsRead: 5000,
  rowsLoaded: 4990,
  rowsRejected: 10,
  duplicateOf: null,
  aggregatedDays: 30,
  error: null,
  ...overrides,
});

const MiB = 1024 * 1024;

describe('how far a stage is, from the pending activities', () => {
  it('reads the bytes of a whole-file parse', () => {
    const pending = [{ type: 'parseToStaging', details: { lineNumber: 15_001, bytesRead: 30 * MiB, totalBytes: 120 * MiB } }];
    expect(stageProgressOf(progress(), pending)).toEqual({ fraction: 0.25, done: 30 * MiB, total: 120 * MiB, unit: 'bytes' });
  });

  it('knows nothing from a heartbeat that carries only the line (an older worker)', () => {
    expect(stageProgressOf(progress(), [{ type: 'parseToStaging', details: { lineNumber: 15_001 } }])).toBeNull();
    expect(stageProgressOf(progress(), [{ type: 'parseToStaging', details: null }])).toBeNull();
    expect(stageProgressOf(progress({ stage: 'hash-dedupe' }), [{ type: 'hashAndClaim', details: null }])).toBeNull();
  });

  it('adds up parts: finished ones are gone, one not started counts as an average part', () => {
    const part = (bytesRead: number, totalBytes: number) => ({ type: 'parseRange', details: { lineNumber: 9, bytesRead, totalBytes, fileBytes: 100 } });
    // Of 100 bytes in parts of 20: two finished (gone), two running (5 and 15 bytes left), one not started.
    const pending = [part(15, 20), part(5, 20), { type: 'parseRange', details: null }];
    expect(stageProgressOf(progress(), pending)).toEqual({ fraction: 0.6, done: 60, total: 100, unit: 'bytes' });
    expect(stageProgressOf(progress(), [{ type: 'parseRange', details: null }])).toBeNull();
    expect(stageProgressOf(progress(), [{ type: 'finishParse', details: { lineNumber: 0 } }])).toEqual({
      fraction: 1,
      done: null,
      total: null,
      unit: 'bytes',
    });
  });

  it('counts the rows of committed load chunks against the rows staged', () => {
    const loading = progress({ stage: 'load', rowsRead: 300_000, rowsRejected: 12 });
    expect(stageProgressOf(loading, [{ type: 'loadFromStaging', details: { chunksDone: 1, rowsLoaded: 149_994 } }])).toEqual({
      fraction: 0.5,
      done: 149_994,
      total: 299_988,
      unit: 'rows',
    });
    expect(stageProgressOf(loading, [{ type: 'loadFromStaging', details: null }])).toBeNull();
  });

  it('counts days while aggregating, and nothing from a heartbeat without their total', () => {
    const aggregating = progress({ stage: 'aggregate' });
    expect(stageProgressOf(aggregating, [{ type: 'aggregateDays', details: { daysDone: 14, daysTotal: 28 } }])?.fraction).toBe(0.5);
    expect(stageProgressOf(aggregating, [{ type: 'aggregateDays', details: { daysDone: 0, daysTotal: 0 } }])?.fraction).toBe(1);
    expect(stageProgressOf(aggregating, [{ type: 'aggregateDays', details: { daysDone: 14 } }])).toBeNull();
    expect(stageProgressOf(aggregating, [{ type: 'markFileCompleted', details: null }])?.fraction).toBe(1);
  });
});

describe('numbers for a person', () => {
  it('formats sizes, shares and times left', () => {
    expect([formatBytes(512), formatBytes(1536), formatBytes(126 * MiB), formatBytes(3.25 * 1024 * MiB)]).toEqual([
      '512 B',
      '1.5 KiB',
      '126.0 MiB',
      '3.3 GiB',
    ]);
    expect([formatPercent(0), formatPercent(0.425), formatPercent(0.999), formatPercent(1)]).toEqual(['0%', '42%', '99%', '100%']);
    expect([formatDuration(0.2), formatDuration(8), formatDuration(65), formatDuration(7_380)]).toEqual(['1s', '8s', '1m 05s', '2h 03m']);
  });

  it('estimates the time left from the pace over the samples', () => {
    expect(secondsLeft([{ atMs: 0, fraction: 0.1 }, { atMs: 1_000, fraction: 0.2 }, { atMs: 2_000, fraction: 0.3 }])).toBeCloseTo(7);
    expect(secondsLeft([{ atMs: 0, fraction: 0.3 }, { atMs: 2_000, fraction: 0.3 }])).toBeNull();
    expect(secondsLeft([{ atMs: 0, fraction: 0.3 }])).toBeNull();
  });
});

const file = (stageProgress: StageProgress, overrides: Partial<FileProgress> = {}): FileProgress => ({
  filename: 'orders.csv',
  stage: 'parse',
  rowsRead: 120_000,
  rowsLoaded: 0,
  rowsRejected: 0,
  rate: 45_000,
  summary: null,
  stageProgress,
  etaSeconds: 12,
  ...overrides,
});

describe('the bar of a stage that reports how far it is', () => {
  const options = { nameWidth: 12, barWidth: 20 };

  it('fills within the stage and shows its percentage, time left, bytes and rows', () => {
    const parsing = file({ fraction: 0.42, done: 126 * MiB, total: 300 * MiB, unit: 'bytes' });
    expect(renderBarLine(parsing, options)).toBe(
      'orders.csv   [███████▒░░░░░░░░░░░░] parsing      42%  ETA 12s  126.0 MiB of 300.0 MiB, 120,000 rows  45,000 rows/s',
    );
  });

  it('shows rows loaded while loading and days while aggregating', () => {
    const loading = file({ fraction: 0.5, done: 149_994, total: 299_988, unit: 'rows' }, { stage: 'load', rowsRejected: 12, etaSeconds: null });
    expect(renderBarLine(loading, options)).toBe('orders.csv   [█████████████▒░░░░░░] loading      50%  149,994 of 299,988 rows loaded, 12 rejected');
    const aggregating = file({ fraction: 0.25, done: 7, total: 28, unit: 'days' }, { stage: 'aggregate', rowsLoaded: 299_988, etaSeconds: 65 });
    expect(renderBarLine(aggregating, options)).toBe(
      'orders.csv   [████████████████▒░░░] aggregating  25%  ETA 1m 05s  7 of 28 days, 299,988 rows loaded',
    );
  });

  it('cuts a line to a width, marking the cut', () => {
    expect(fitLine('abcdef', 6)).toBe('abcdef');
    expect(fitLine('abcdefg', 6)).toBe('abcde…');
    expect(fitLine('██████', 4)).toBe('███…');
  });
});

describe('plain lines of a stage that reports how far it is', () => {
  it('adds a line at each quarter, with the percentage and time left', () => {
    const at = (fraction: number) => file({ fraction, done: null, total: null, unit: 'bytes' }, { rowsRead: 1_000, etaSeconds: 30 });
    expect(renderPlainUpdate(at(0.3), at(0.45))).toBeNull();
    expect(renderPlainUpdate(at(0.45), at(0.52))).toBe('orders.csv: parse 52%, ETA 30s (1,000 rows read)');
    const parts = file({ fraction: 0.8, done: null, total: null, unit: 'bytes' }, { rowsRead: 0, etaSeconds: null });
    expect(renderPlainUpdate(at(0.6), parts)).toBe('orders.csv: parse 80%');
  });
});

describe('the display on a terminal', () => {
  const longFailure = `orders-${'x'.repeat(10)}.csv, line 3: ${'a closing quote is followed by something other than a comma '.repeat(3)}`;

  it('keeps every redrawn line within the width and leaves no stale rows above the outcomes', () => {
    const terminal = createVirtualTerminal(60);
    let clock = 0;
    const display = createProgressDisplay(['orders-nov-a-long-name.csv', 'b.csv'], {
      tty: true,
      columns: 60,
      write: (text) => terminal.write(text),
      now: () => clock,
    });
    const bytes = (fraction: number): Partial<IngestProgress> & LiveProgress =>
      progress({ rowsRead: Math.round(fraction * 300_000), stageProgress: { fraction, done: fraction * 300 * MiB, total: 300 * MiB, unit: 'bytes' } });
    for (const [index, fraction] of [0.1, 0.2, 0.4].entries()) {
      clock = index * 1_000;
      display.update(0, bytes(fraction));
      display.update(1, progress({ stage: 'load', rowsRead: 50, stageProgress: { fraction: 0.5, done: 25, total: 50, unit: 'rows' } }));
    }
    const running = terminal.screen();
    expect(running).toHaveLength(2);
    expect(running[0]).toContain('40%');
    // 0.1 → 0.4 in two seconds: the other 0.6 take four.
    expect(running[0]).toContain('ETA 4s');
    expect(terminal.longestWrite()).toBeLessThanOrEqual(59);

    display.finish(1, summary({ filename: 'b.csv', status: 'failed', error: longFailure }));
    expect(terminal.screen()).toHaveLength(2);
    expect(terminal.longestWrite()).toBeLessThanOrEqual(59);
    display.finish(0, summary({ filename: 'orders-nov-a-long-name.csv' }));

    // The last frame has the outcomes whole, wrapped by the terminal, and nothing else on screen.
    const final = terminal.screen().join('');
    expect(final.startsWith('orders-nov-a-long-name.csv  completed — 5,000 rows read')).toBe(true);
    expect(final).toContain(longFailure.trimEnd());
    expect(final).not.toMatch(/[█░▒]|parsing|loading/);
  });

  it('reads the width at every redraw, so a resized terminal gets lines that fit', () => {
    const written: string[] = [];
    let columns = 120;
    const display = createProgressDisplay(['a.csv'], { tty: true, columns: () => columns, write: (text) => written.push(text) });
    const parse = progress({ rowsRead: 123_456, stageProgress: { fraction: 0.5, done: 50 * MiB, total: 100 * MiB, unit: 'bytes' } });
    display.update(0, parse);
    columns = 40;
    display.update(0, { ...parse, rowsRead: 123_457 });
    const lastLine = (written.at(-1) ?? '').split('\u001b[2K').at(-1) ?? '';
    expect([...lastLine.trimEnd()].length).toBeLessThanOrEqual(39);
    expect(lastLine).toContain('…');
  });
});

describe('pipeforge status of a running file', () => {
  it('says how far its stage is', () => {
    const view: StatusView = {
      workflowId: 'ingest-abc',
      runId: 'r-1',
      workflowStatus: 'RUNNING',
      ingestStatus: 'parsing',
      fileId: 'f-1',
      filename: 'orders.csv',
      startedAt: '2026-12-01T00:00:00.000Z',
      closedAt: null,
      progress: progress({ rowsRead: 120_000, stageProgress: { fraction: 0.42, done: 126 * MiB, total: 300 * MiB, unit: 'bytes' } }),
      summary: null,
      rejectsReport: null,
      next: ['pipeforge status ingest-abc --follow'],
    };
    const lines = statusLines(view);
    expect(lines).toContain('stage     parse 42% (126.0 MiB of 300.0 MiB)');
    expect(lines).toContain('rows      120,000 read, 0 loaded, 0 rejected');
    const loading = statusLines({ ...view, progress: progress({ stage: 'load', stageProgress: { fraction: 0.5, done: 1_000, total: 2_000, unit: 'rows' } }) });
    expect(loading).toContain('stage     load 50% (1,000 of 2,000 rows)');
  });
});
