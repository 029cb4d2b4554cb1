import { describe, expect, it } from '@jest/globals';
import { createProgressDisplay } from '../../src/client/progress/progress-display.ts';
import { rowsPerSecond, withParseHeartbeat, type FileProgress } from '../../src/client/progress/file-progress.ts';
import { renderBarLine, renderFrame } from '../../src/client/progress/render-bar.ts';
import { renderPlainUpdate } from '../../src/client/progress/render-lines.ts';
import type { IngestSummary } from '../../src/workflows/ingest-file-contract.ts';
import { liveProgress } from '../support/live-progress.ts';

const file = (overrides: Partial<FileProgress> = {}): FileProgress => ({
  filename: 'orders.csv',
  stage: 'parse',
  rowsRead: 120_000,
  rowsLoaded: 0,
  rowsRejected: 0,
  rate: 45_000,
  summary: null,
  ...overrides,
});

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

describe('live row count', () => {
  it('takes the parse heartbeat (a line number, header included) while the parse runs', () => {
    expect(withParseHeartbeat(liveProgress({ rowsRead: 0 }), 15_001).rowsRead).toBe(15_000);
  });

  it('keeps the workflow count outside the parse, and when it is ahead', () => {
    expect(withParseHeartbeat(liveProgress({ stage: 'load', rowsRead: 20_000 }), 5_001).rowsRead).toBe(20_000);
    expect(withParseHeartbeat(liveProgress({ rowsRead: 20_000 }), 5_001).rowsRead).toBe(20_000);
    expect(withParseHeartbeat(liveProgress({ rowsRead: 7 }), null).rowsRead).toBe(7);
  });

  it('computes a rate over the sample window', () => {
    expect(rowsPerSecond([{ atMs: 0, rows: 0 }, { atMs: 500, rows: 10_000 }, { atMs: 2_000, rows: 40_000 }])).toBe(20_000);
    expect(rowsPerSecond([{ atMs: 1_000, rows: 5 }])).toBeNull();
  });
});

describe('terminal bar', () => {
  const options = { nameWidth: 12, barWidth: 20 };

  it('shows the stage, rows and rate of a parse in progress', () => {
    expect(renderBarLine(file(), options)).toBe('orders.csv   [█████▒░░░░░░░░░░░░░░] parsing     120,000 rows  45,000 rows/s');
  });

  it('fills the bar as the stages pass and reports loaded and rejected rows', () => {
    const line = renderBarLine(file({ stage: 'aggregate', rowsLoaded: 119_000, rowsRejected: 1_000, rate: null }), options);
    expect(line).toBe('orders.csv   [███████████████▒░░░░] aggregating 120,000 rows, 119,000 loaded, 1,000 rejected');
  });

  it('shows an empty bar while queued, and shortens long names', () => {
    const line = renderBarLine(file({ filename: 'a-very-long-export-name.csv', stage: 'queued', rowsRead: 0, rate: null }), options);
    expect(line).toBe('a-very-long… [░░░░░░░░░░░░░░░░░░░░] queued      0 rows');
  });

  it('replaces the bar with the outcome when the file is done', () => {
    expect(renderBarLine(file({ stage: 'done', summary: summary() }), options)).toBe(
      'orders.csv    completed — 5,000 rows read, 4,990 loaded, 10 rejected, 30 days aggregated (file f-1)',
    );
    expect(renderBarLine(file({ stage: 'done', summary: summary({ status: 'cancelled' }) }), options)).toContain(
      'cancelled — nothing of it was kept',
    );
  });

  it('redraws a block of lines in place', () => {
    expect(renderFrame(['a', 'b'], 0)).toBe('\r\u001b[2Ka\n\r\u001b[2Kb\n');
    expect(renderFrame(['a', 'b'], 2)).toBe('\u001b[2A\r\u001b[2Ka\n\r\u001b[2Kb\n');
  });
});

describe('plain lines', () => {
  it('writes a line when a stage starts and every 100,000 parsed rows, not on every update', () => {
    expect(renderPlainUpdate(null, file({ stage: 'hash-dedupe', rowsRead: 0 }))).toBe('orders.csv: hash-dedupe (0 rows read)');
    expect(renderPlainUpdate(file({ rowsRead: 100_000 }), file({ rowsRead: 150_000 }))).toBeNull();
    expect(renderPlainUpdate(file({ rowsRead: 150_000 }), file({ rowsRead: 205_000 }))).toBe('orders.csv: parse (205,000 rows read)');
    expect(renderPlainUpdate(file({ rowsRead: 205_000 }), file({ stage: 'load', rowsRead: 210_000 }))).toBe(
      'orders.csv: load (210,000 rows read)',
    );
  });

  it('writes the outcome once', () => {
    const done = file({ stage: 'done', summary: summary({ status: 'failed', error: 'orders.csv, line 3: bad' }) });
    expect(renderPlainUpdate(file(), done)).toBe('orders.csv: FAILED — orders.csv, line 3: bad (file f-1)');
    expect(renderPlainUpdate(done, done)).toBeNull();
  });
});

describe('progress display', () => {
  const run = (tty: boolean) => {
    const written: string[] = [];
    let clock = 0;
    const display = createProgressDisplay(['a.csv', 'b.csv'], { tty, columns: 100, write: (t) => written.push(t), now: () => clock });
    display.update(0, liveProgress({ stage: 'hash-dedupe' }));
    clock = 1_000;
    display.update(0, liveProgress({ rowsRead: 10_000 }));
    clock = 2_000;
    display.update(0, liveProgress({ rowsRead: 30_000 }));
    display.update(1, liveProgress({ stage: 'load', rowsRead: 50 }));
    display.finish(0, summary({ filename: 'a.csv' }));
    return written;
  };

  it('prints plain lines to a pipe: stage changes and outcomes only', () => {
    expect(run(false)).toEqual([
      'a.csv: hash-dedupe (0 rows read)\n',
      'a.csv: parse (10,000 rows read)\n',
      'b.csv: load (50 rows read)\n',
      'a.csv: completed — 5,000 rows read, 4,990 loaded, 10 rejected, 30 days aggregated (file f-1)\n',
    ]);
  });

  it('redraws one bar per file on a terminal, with the rate between samples', () => {
    const frames = run(true);
    expect(frames[0]).toMatch(/^\r\u001b\[2Ka\.csv +\[░+\] queued/);
    expect(frames[3]?.startsWith('\u001b[2A')).toBe(true);
    expect(frames[3]).toContain('parsing     30,000 rows  15,000 rows/s');
    expect(frames.at(-1)).toContain('a.csv     completed — 5,000 rows read');
    expect(frames.at(-1)).toContain('b.csv    [████████████▒░░░░░░░░░░░] loading     50 rows');
  });
});
