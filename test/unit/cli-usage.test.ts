import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { isGroup } from '../../src/client/command-line/spec.ts';
import { COMMAND_LIST } from '../../src/client/commands-registry.ts';
import { runPipeforge, STACK_FRAME, stderrLines, type CliRun } from '../support/cli-process.ts';

/**
 * `bin/pipeforge` as a process: the help of every command and subcommand, and usage errors.
 * Nothing here needs a server; the home, temp and PIPEFORGE_HOME directories are empty ones of
 * the test's own, so a command that did anything (a demo, a provisioning, a dev stack) would
 * leave files there.
 */

let sandbox: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  sandbox = await mkdtemp(join(tmpdir(), 'pipeforge-cli-usage-'));
  env = {
    PATH: process.env.PATH ?? '',
    HOME: sandbox,
    TMPDIR: sandbox,
    PIPEFORGE_HOME: join(sandbox, 'pipeforge-home'),
    NODE_DISABLE_COMPILE_CACHE: '1',
  };
});

afterAll(async () => {
  await rm(sandbox, { recursive: true, force: true });
});

const pipeforge = (...args: string[]) => runPipeforge(args, { env, cwd: sandbox, timeoutMs: 30_000 });

/** Every command line that must print a help: `CMD --help` and `CMD -h`, and each subcommand's. */
const helpLines: string[][] = COMMAND_LIST.flatMap(([name, command]) => [
  [name],
  ...(isGroup(command.spec) ? Object.keys(command.spec.subcommands).map((sub) => [name, sub]) : []),
]);

async function inBatches<T, R>(items: readonly T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += size) results.push(...(await Promise.all(items.slice(start, start + size).map(work))));
  return results;
}

function expectUsageError(run: CliRun, ...fragments: string[]): void {
  expect(run.code).toBe(2);
  expect(stderrLines(run)).toHaveLength(1);
  for (const fragment of fragments) expect(run.stderr).toContain(fragment);
  expect(run.stderr).not.toMatch(STACK_FRAME);
  expect(run.stdout).toBe('');
}

describe('pipeforge --help', () => {
  it.each(['--help', '-h'])('%s on every command and subcommand prints its usage, options and an example, and does nothing else', async (flag) => {
    expect(helpLines.length).toBeGreaterThan(20);
    const runs = await inBatches(helpLines, 4, async (words) => ({ words, run: await pipeforge(...words, flag) }));
    for (const { words, run } of runs) {
      const what = `pipeforge ${words.join(' ')} ${flag}`;
      expect({ what, code: run.code, stderr: run.stderr }).toEqual({ what, code: 0, stderr: '' });
      expect(run.stdout).toContain(`Usage: pipeforge ${words.join(' ')}`);
      expect(run.stdout).toMatch(/Examples?:\n {2}pipeforge /);
    }
    // No demo data directory, no binaries being built, no dev state.
    expect(await readdir(sandbox)).toEqual([]);
  });

  it('shows each option with its default', async () => {
    const files = await pipeforge('files', '--help');
    expect(files.stdout).toMatch(/--limit N\s+how many files to list \(default: 20\)/);
    const report = await pipeforge('report', '-h');
    expect(report.stdout).toMatch(/--format FORMAT\s+how to print it \(one of table, csv, json; default: table\)/);
  });

  it('comes before any other problem of the command line', async () => {
    const run = await pipeforge('ingest', '--wiat', '--help');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: pipeforge ingest FILE...');
  });

  it('`pipeforge help CMD` prints the command\'s help; `pipeforge help` and `--help` the list of commands', async () => {
    const [help, flag, ingest, scheduleCreate] = await Promise.all([
      pipeforge('help'),
      pipeforge('--help'),
      pipeforge('help', 'ingest'),
      pipeforge('help', 'schedule', 'create'),
    ]);
    expect(ingest).toEqual({ ...(await pipeforge('ingest', '--help')), ms: ingest.ms });
    expect(ingest.stdout).toContain('--wait');
    expect(scheduleCreate.stdout).toContain('Usage: pipeforge schedule create NAME');
    for (const list of [help, flag]) {
      expect(list.code).toBe(0);
      for (const [name] of COMMAND_LIST) expect(list.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    }
  });
});

describe('usage errors', () => {
  it('an unknown option names it and suggests the closest one, exit 2', async () => {
    expectUsageError(await pipeforge('ingest', '--wiat', 'x.csv'), 'unknown option --wiat', 'did you mean --wait?');
  });

  it('an unknown command suggests the closest one', async () => {
    expectUsageError(await pipeforge('ingset', 'x.csv'), 'unknown command ingset', 'did you mean ingest?');
    expectUsageError(await pipeforge('help', 'ingset'), 'did you mean ingest?');
    expectUsageError(await pipeforge('schedule', 'crate', 'nightly'), 'unknown subcommand crate', 'did you mean create?');
  });

  it('a missing argument or a malformed value is named', async () => {
    expectUsageError(await pipeforge('ingest'), 'missing FILE...');
    expectUsageError(await pipeforge('status'), 'missing ID');
    expectUsageError(await pipeforge('schedule', 'describe'), 'pipeforge schedule describe: missing NAME');
    expectUsageError(await pipeforge('files', '--limit', 'abc'), '--limit must be a positive whole number, not "abc"');
    expectUsageError(await pipeforge('files', '--limit'), '--limit needs a value');
    expectUsageError(await pipeforge('report', '--from', '2026-10-01', '--to', '2026-10-31', '--by', 'categroy'), 'did you mean category?');
    expectUsageError(await pipeforge('generate'), '--rows N is required');
  });
});
