import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runPipeforge, runPipeforgeOnTerminal } from '../support/cli-process.ts';
import { writeGeneratedFile } from '../support/generated-file.ts';
import { startPipelineHarness, type PipelineHarness } from '../support/pipeline-harness.ts';
import { createVirtualTerminal } from '../support/virtual-terminal.ts';

/**
 * `pipeforge ingest --wait` in a terminal, through the real bin/pipeforge on a pseudo-terminal
 * and the real stack: the bar reports how far each stage is (a percentage), every redrawn line
 * fits the width, and what stays on the screen at the end is the submitted line and the outcome,
 * with the numbers written as everywhere else.
 */
const COLUMNS = 72;

let harness: PipelineHarness;
let workDir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  harness = await startPipelineHarness();
  workDir = await mkdtemp(join(tmpdir(), 'pipeforge-progress-cli-'));
  env = { ...process.env, DATABASE_URL: harness.databaseUrl, TEMPORAL_TASK_QUEUE: harness.taskQueue, PIPEFORGE_HOME: workDir, LOG_LEVEL: 'warn' };
});

afterAll(async () => {
  await harness?.stop();
  await rm(workDir, { recursive: true, force: true });
});

describe('ingest --wait on a terminal', () => {
  it('shows each stage’s percentage within the width and leaves only the outcome', async () => {
    const path = await writeGeneratedFile(join(workDir, 'orders-progress-on-a-terminal.csv'), { rows: 120_000, seed: 5, days: 20 });
    const run = await runPipeforgeOnTerminal(['ingest', path, '--wait'], { env, cwd: workDir, columns: COLUMNS, timeoutMs: 180_000 });
    expect(run.code).toBe(0);

    const terminal = createVirtualTerminal(COLUMNS);
    terminal.write(run.stdout);
    const screen = terminal.screen();
    if (process.env.PROGRESS_CAPTURE) await writeFile(process.env.PROGRESS_CAPTURE, run.stdout);
    // The lines printed once, the submitted one and the outcome, are whole: the terminal wraps them.
    const submitted = /^orders-progress-on-a-terminal\.csv: submitted as ingest-[0-9a-f]{64}/;
    expect(screen.join('')).toMatch(submitted);
    const outcomeRow = screen.findIndex((row) => row.startsWith('orders-progress-on-a-terminal.csv  '));
    expect(screen.slice(0, outcomeRow).join('')).toMatch(new RegExp(`${submitted.source}$`));
    expect(screen.slice(outcomeRow).join('')).toMatch(
      /^orders-progress-on-a-terminal\.csv  completed — 120,000 rows read, 120,000 loaded, 0 rejected, 20 days aggregated \(file [0-9a-f-]+\)$/,
    );

    // Every frame drawn while the file ran: one line each, cut to the width, some with a stage's share.
    const frames = run.stdout.split('\u001b[2K').slice(1).map((frame) => frame.replace(/\r?\n.*$/s, ''));
    expect(frames.length).toBeGreaterThan(2);
    for (const frame of frames) expect([...frame].length).toBeLessThan(COLUMNS);
    expect(frames.some((frame) => / (parsing|loading|aggregating) +\d{1,3}% /.test(frame))).toBe(true);
    // Within a stage the percentage only grows, frame after frame.
    const shares = frames.flatMap((frame) => {
      const match = / (hashing|parsing|loading|aggregating) +(\d{1,3})% /.exec(frame);
      return match ? [{ stage: match[1], percent: Number(match[2]) }] : [];
    });
    for (const [index, share] of shares.entries()) {
      const before = shares[index - 1];
      if (before !== undefined && before.stage === share.stage) expect(share.percent).toBeGreaterThanOrEqual(before.percent);
    }
    for (const frame of frames) expect(frame).not.toMatch(/\d{4,}/);
  });

  it('writes plain lines with the same numbers to a pipe', async () => {
    const path = await writeGeneratedFile(join(workDir, 'orders-progress-in-a-pipe.csv'), { rows: 2_000, seed: 6, days: 5, orderPrefix: 'PIPE-' });
    const run = await runPipeforge(['ingest', path, '--wait'], { env, cwd: workDir, timeoutMs: 90_000 });
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('\u001b');
    expect(run.stdout).toMatch(/^orders-progress-in-a-pipe\.csv: completed — 2,000 rows read, 2,000 loaded, 0 rejected, 5 days aggregated/m);
  });
});
