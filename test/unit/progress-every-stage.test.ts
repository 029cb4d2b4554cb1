import { describe, expect, it } from '@jest/globals';
import { trackLoadSteps } from '../../src/activities/load-steps.ts';
import type { LoadEvent } from '../../src/db/load-staged-file.ts';
import type { FileProgress } from '../../src/client/progress/file-progress.ts';
import { createProgressDisplay } from '../../src/client/progress/progress-display.ts';
import { renderBarLine } from '../../src/client/progress/render-bar.ts';
import { renderPlainUpdate } from '../../src/client/progress/render-lines.ts';
import { stageProgressOf, type PendingDetails, type StageProgress } from '../../src/client/progress/stage-progress.ts';
import { statusLines, type StatusView } from '../../src/client/status-view.ts';
import type { LoadHeartbeatDetails, ParseHeartbeatDetails } from '../../src/workflows/ingest-file-contract.ts';
import { liveProgress } from '../support/live-progress.ts';

const MiB = 1024 * 1024;

const progress = liveProgress;

const file = (stageProgress: StageProgress | null, overrides: Partial<FileProgress> = {}): FileProgress => ({
  filename: 'orders.csv',
  stage: 'parse',
  rowsRead: 0,
  rowsLoaded: 0,
  rowsRejected: 0,
  rate: null,
  summary: null,
  stageProgress,
  etaSeconds: null,
  ...overrides,
});

/**
 * The pending activities of a file parsed in parts, poll after poll, as a worker running up to
 * four activities leaves them: every part scheduled at once; a part not started, or started but
 * not yet past its first batch, has no heartbeat; a finished part is gone. The parts start in no
 * fixed order (the short last part first here), each gets to its first heartbeat and reads at its
 * own pace, and the parts are cut at about 16 MiB with the short one last.
 */
function partsSnapshots(withRangeCount: boolean): PendingDetails[][] {
  const lengths = [16 * MiB + 310, 16 * MiB + 95, 16 * MiB + 1_204, 16 * MiB + 12, 16 * MiB + 733, 7 * MiB + 4_321];
  const fileBytes = lengths.reduce((sum, length) => sum + length, 0);
  const startOrder = [5, 0, 2, 1, 3, 4];
  const pace = [3, 2, 2.5, 3.5, 3, 1.5].map((mib) => mib * MiB);
  const firstHeartbeatAfter = [3, 2, 1, 2, 1, 1];
  const read = lengths.map(() => 0);
  const startedAt = lengths.map((): number | null => null);
  const running: number[] = [];
  const queued = [...startOrder];
  let finished = 0;
  const snapshots: PendingDetails[][] = [];
  for (let tick = 0; finished < lengths.length; tick += 1) {
    while (running.length < 4 && queued.length > 0) {
      const part = queued.shift() as number;
      running.push(part);
      startedAt[part] = tick;
    }
    const heartbeated = (part: number) => {
      const started = startedAt[part];
      return started !== null && started !== undefined && tick - started >= (firstHeartbeatAfter[part] ?? 0);
    };
    snapshots.push(
      [...running, ...queued].map((part) => ({
        type: 'parseRange',
        details: heartbeated(part)
          ? ({
              lineNumber: 1 + Math.floor((read[part] ?? 0) / 100),
              bytesRead: read[part] ?? 0,
              totalBytes: lengths[part] ?? 0,
              fileBytes,
              ...(withRangeCount ? { rangeCount: lengths.length } : {}),
            } satisfies ParseHeartbeatDetails)
          : null,
      })),
    );
    for (const part of [...running]) {
      if (!heartbeated(part)) continue;
      read[part] = Math.min(lengths[part] ?? 0, (read[part] ?? 0) + (pace[part] ?? 0));
      if ((read[part] ?? 0) >= (lengths[part] ?? 0)) {
        finished += 1;
        running.splice(running.indexOf(part), 1);
      }
    }
  }
  return snapshots;
}

const fractionsOf = (snapshots: PendingDetails[][]): number[] =>
  snapshots.flatMap((pending) => {
    const stage = stageProgressOf(progress(), pending);
    return stage === null ? [] : [stage.fraction];
  });

describe('a file parsed in parts', () => {
  it('never goes back as parts start and finish, in any order', () => {
    const fractions = fractionsOf(partsSnapshots(true));
    expect(fractions.length).toBeGreaterThan(10);
    for (let index = 1; index < fractions.length; index += 1) {
      expect(fractions[index]).toBeGreaterThanOrEqual(fractions[index - 1] ?? 0);
    }
    expect(fractions[0]).toBeLessThan(0.1);
    expect(fractions.at(-1)).toBeGreaterThan(0.75);
  });

  it('counts each part as its share of the file: finished parts by their number, running ones by bytes read', () => {
    const part = (bytesRead: number, totalBytes: number) => ({
      type: 'parseRange',
      details: { lineNumber: 9, bytesRead, totalBytes, fileBytes: 100 * MiB, rangeCount: 5 },
    });
    // Five parts: two finished (gone), one half read, one a quarter, one not started.
    const pending = [part(10 * MiB, 20 * MiB), part(5 * MiB, 20 * MiB), { type: 'parseRange', details: null }];
    expect(stageProgressOf(progress(), pending)).toEqual({ fraction: 0.55, done: 55 * MiB, total: 100 * MiB, unit: 'bytes' });
  });

  it('still reads heartbeats without the number of parts, as an estimate', () => {
    const fractions = fractionsOf(partsSnapshots(false));
    expect(fractions.length).toBeGreaterThan(10);
    expect(fractions.at(-1)).toBeGreaterThan(0.9);
  });
});

describe('the hash stage', () => {
  it('shows bytes hashed of the object', () => {
    const hashing = progress({ stage: 'hash-dedupe' });
    const stage = stageProgressOf(hashing, [{ type: 'hashAndClaim', details: { bytesRead: 12 * MiB, totalBytes: 48 * MiB } }]);
    expect(stage).toEqual({ fraction: 0.25, done: 12 * MiB, total: 48 * MiB, unit: 'bytes' });
    const line = renderBarLine(file(stage, { stage: 'hash-dedupe', etaSeconds: 9 }), { nameWidth: 12, barWidth: 20 });
    expect(line).toBe('orders.csv   [█▒░░░░░░░░░░░░░░░░░░] hashing      25%  ETA 9s  12.0 MiB of 48.0 MiB');
  });
});

const events = (rebuildsIndexes: boolean, chunks: number): LoadEvent[] => {
  const plan = { rebuildsIndexes, chunks };
  const chunkEvents = (chunk: number): LoadEvent[] => [
    { step: 'orders', plan, chunk },
    { step: 'order-lines', plan, chunk },
  ];
  if (rebuildsIndexes) {
    return [{ step: 'prepare' }, ...chunkEvents(0), { step: 'indexes', plan }, { step: 'committed', plan, chunk: 0 }, { step: 'finish', plan }];
  }
  // Two chunks side by side: their steps interleave, and a deadlock retries chunk 1's transaction.
  return [
    { step: 'prepare' },
    { step: 'orders', plan, chunk: 1 },
    { step: 'orders', plan, chunk: 0 },
    { step: 'order-lines', plan, chunk: 1 },
    { step: 'orders', plan, chunk: 1 },
    { step: 'order-lines', plan, chunk: 0 },
    { step: 'committed', plan, chunk: 0 },
    { step: 'order-lines', plan, chunk: 1 },
    { step: 'committed', plan, chunk: 1 },
    { step: 'finish', plan },
  ];
};

describe('the load, step by step', () => {
  const follow = (list: LoadEvent[]) => {
    const steps = trackLoadSteps();
    const seen = [steps.details()];
    for (const event of list) {
      steps.observe(event);
      seen.push(steps.details());
    }
    return seen;
  };

  it('names the step of a load in one chunk and advances through all of them before its rows commit', () => {
    const seen = follow(events(true, 1));
    expect(seen.map((details) => details.step)).toEqual([undefined, 'prepare', 'orders', 'order-lines', 'indexes', 'indexes', 'finish']);
    const shares = seen.flatMap((details) => (details.stepsDone === undefined ? [] : [details.stepsDone]));
    expect(shares[0]).toBe(0);
    for (let index = 1; index < shares.length; index += 1) expect(shares[index]).toBeGreaterThanOrEqual(shares[index - 1] ?? 0);
    expect(new Set(shares).size).toBe(5);
    expect(shares.at(-1)).toBeLessThan(1);
  });

  it('follows chunks side by side by the one least far, and never goes back when a chunk is retried', () => {
    const seen = follow(events(false, 2));
    expect(seen.map((details) => details.step)).toEqual([
      undefined,
      'prepare',
      'orders',
      'orders',
      'orders',
      'orders',
      'order-lines',
      'order-lines',
      'order-lines',
      'order-lines',
      'finish',
    ]);
    const shares = seen.flatMap((details) => (details.stepsDone === undefined ? [] : [details.stepsDone]));
    for (let index = 1; index < shares.length; index += 1) expect(shares[index]).toBeGreaterThanOrEqual(shares[index - 1] ?? 0);
    expect(shares.at(-1)).toBeGreaterThan(shares[1] ?? 0);
  });

  it('shows the step in words, its share, and the committed rows once there are any', () => {
    const loading = progress({ stage: 'load', rowsRead: 300_000, rowsRejected: 12 });
    const details = (overrides: Partial<LoadHeartbeatDetails>): LoadHeartbeatDetails => ({ chunksDone: 0, rowsLoaded: 0, ...overrides });
    const inLines = stageProgressOf(loading, [{ type: 'loadFromStaging', details: details({ step: 'order-lines', stepsDone: 0.45 }) }]);
    expect(inLines).toEqual({ fraction: 0.45, done: 0, total: 299_988, unit: 'rows', step: 'order lines' });
    const options = { nameWidth: 12, barWidth: 20 };
    expect(renderBarLine(file(inLines, { stage: 'load', etaSeconds: 12 }), options)).toBe(
      'orders.csv   [████████████▒░░░░░░░] loading      45%  ETA 12s  order lines',
    );
    const committed = stageProgressOf(loading, [
      { type: 'loadFromStaging', details: details({ chunksDone: 1, rowsLoaded: 149_994, step: 'order-lines', stepsDone: 0.6 }) },
    ]);
    expect(renderBarLine(file(committed, { stage: 'load' }), options)).toBe(
      'orders.csv   [█████████████▒░░░░░░] loading      60%  order lines, 149,994 of 299,988 rows loaded',
    );
    // A pipe hears of the load at its quarters and when its step changes, not at every poll.
    const plain = (stage: StageProgress | null) => file(stage, { stage: 'load', rowsRead: 300_000 });
    expect(renderPlainUpdate(plain(inLines), plain(inLines && { ...inLines, fraction: 0.48 }))).toBeNull();
    expect(renderPlainUpdate(plain(inLines), plain(committed))).toBe('orders.csv: load 60% order lines (300,000 rows read)');
    const finishing = stageProgressOf(loading, [{ type: 'loadFromStaging', details: details({ rowsLoaded: 299_988, step: 'finish', stepsDone: 0.9 }) }]);
    expect(renderPlainUpdate(plain(committed && { ...committed, fraction: 0.88 }), plain(finishing))).toBe(
      'orders.csv: load 90% finishing (300,000 rows read)',
    );
  });

  it('says the step in pipeforge status', () => {
    const view: StatusView = {
      workflowId: 'ingest-abc',
      runId: 'r-1',
      workflowStatus: 'RUNNING',
      ingestStatus: 'loading',
      fileId: 'f-1',
      filename: 'orders.csv',
      startedAt: '2026-12-01T00:00:00.000Z',
      closedAt: null,
      progress: progress({ stage: 'load', stageProgress: { fraction: 0.1, done: 0, total: 2_000, unit: 'rows', step: 'customers and products' } }),
      summary: null,
      rejectsReport: null,
      next: [],
    };
    expect(statusLines(view)).toContain('stage     load 10% customers and products (0 of 2,000 rows)');
  });
});

describe('the display between two activities of a stage', () => {
  it('keeps the share shown while nothing reports, and starts over in the next stage', () => {
    const written: string[] = [];
    const display = createProgressDisplay(['a.csv'], { tty: true, columns: 120, write: (text) => written.push(text) });
    const share = { fraction: 0.8, done: 80 * MiB, total: 100 * MiB, unit: 'bytes' as const };
    display.update(0, progress({ stageProgress: share }));
    display.update(0, progress({ stageProgress: null }));
    expect(written.at(-1)).toContain('parsing      80%');
    display.update(0, progress({ stage: 'load', stageProgress: null }));
    expect(written.at(-1)).toMatch(/loading {5}0 rows/);
  });
});
