import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ORDER_LINES_HEADER } from '../support/order-line-rows.ts';
import { runPipeforge, STACK_FRAME, stderrLines, type CliRun } from '../support/cli-process.ts';
import { startPipelineHarness, type PipelineHarness } from '../support/pipeline-harness.ts';
import { contractTables, REVERT_PIPELINE, writeScenarioFiles } from '../support/revert-scenario.ts';

/** `pipeforge revert` as a process against the real stack: its preview, refusals and second asking. */

let harness: PipelineHarness;
let workDir: string;
let env: NodeJS.ProcessEnv;
let files: { a: string; b: string; c: string };

beforeAll(async () => {
  harness = await startPipelineHarness(REVERT_PIPELINE);
  workDir = await mkdtemp(join(tmpdir(), 'pipeforge-revert-cli-'));
  files = await writeScenarioFiles(workDir);
  env = {
    ...process.env,
    DATABASE_URL: harness.databaseUrl,
    TEMPORAL_TASK_QUEUE: harness.taskQueue,
    PIPEFORGE_HOME: workDir,
    LOG_LEVEL: 'warn',
  };
});

afterAll(async () => {
  await harness?.stop();
  await rm(workDir, { recursive: true, force: true });
});

const pipeforge = (...args: string[]) => runPipeforge(args, { env, cwd: workDir, timeoutMs: 90_000 });

function expectOneLine(run: CliRun, code: number, ...fragments: string[]): void {
  expect({ code: run.code, stderr: stderrLines(run) }).toEqual({ code, stderr: [expect.any(String)] });
  for (const fragment of fragments) expect(run.stderr).toContain(fragment);
  expect(run.stderr).not.toMatch(STACK_FRAME);
}

describe('pipeforge revert', () => {
  it('--help shows the usage and options', async () => {
    const help = await pipeforge('revert', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('pipeforge revert FILE_ID');
    for (const option of ['--wait', '--json', '--yes', '--reason TEXT']) expect(help.stdout).toContain(option);
  });

  it('off a terminal without --yes is a usage error and changes nothing', async () => {
    await harness.ingest(files.a);
    const b = await harness.ingest(files.b);
    const before = await contractTables(harness.pool);
    const run = await pipeforge('revert', b.fileId);
    expectOneLine(run, 2, 'pass --yes', 'usage: pipeforge revert FILE_ID');
    expect(await contractTables(harness.pool)).toEqual(before);
  });

  it('refuses a reason that holds an email address', async () => {
    const run = await pipeforge('revert', '00000000-0000-4000-8000-00000000beef', '--yes', '--reason', 'asked by Jane.Doe@example.com');
    expectOneLine(run, 2, 'email address');
    expect(run.stderr).not.toContain('Jane.Doe');
  });

  it('refuses an unknown id and a file that did not load, each in one line', async () => {
    expectOneLine(await pipeforge('revert', '00000000-0000-4000-8000-00000000beef', '--yes'), 1, 'no ingestion file has the id');
    const path = join(workDir, 'all-bad.csv');
    await writeFile(path, `${ORDER_LINES_HEADER}\nX-1,2026-03-01T10:00:00Z,x@example.com,,SKU-1,W,T,none,1.00,card\n`);
    const failed = await harness.ingest(path);
    expect(failed.status).toBe('failed');
    expectOneLine(await pipeforge('revert', failed.fileId, '--yes'), 1, `file ${failed.fileId} is failed`);
  });

  it('shows what will change, reverts, and says so when asked again', async () => {
    const b = await harness.ingest(files.b);
    expect(b.status).toBe('duplicate');
    const fileId = b.duplicateOf ?? '';
    const run = await pipeforge('revert', fileId, '--yes', '--wait', '--reason', 'staging export');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`b.csv (file ${fileId}): reverting it will`);
    expect(run.stdout).toMatch(/restore 3 orders/);
    expect(run.stdout).toMatch(/delete 2 orders only this file had/);
    expect(run.stdout).toMatch(/re-aggregate 7 business days/);
    expect(run.stdout).toMatch(/b\.csv: reverted — 3 orders restored, 2 deleted/);

    const again = await pipeforge('revert', fileId, '--yes', '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ fileId, status: 'reverted', revertedNow: false, reason: 'staging export' });

    const listed = await pipeforge('files', '--json');
    expect(listed.stdout).toContain('"reverted"');
  });
});
