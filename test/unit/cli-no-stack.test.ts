import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeEnvFile } from '../../src/stack/env-file.ts';
import { runPipeforge, STACK_FRAME, stderrLines, type CliRun } from '../support/cli-process.ts';

/**
 * `bin/pipeforge` with no stack running: ordinary mistakes and stopped servers are one plain
 * line on stderr and a non-zero exit, never a stack trace (unless --debug asks for one).
 */

let sandbox: string;
let closedPort: number;
let csv: string;

/** A loopback port nothing listens on: one that was just free and is closed again. */
async function freeClosedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  server.close();
  await once(server, 'close');
  return address.port;
}

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  if (child.pid === undefined) throw new Error('no pid');
  return child.pid;
}

beforeAll(async () => {
  sandbox = await mkdtemp(join(tmpdir(), 'pipeforge-cli-no-stack-'));
  closedPort = await freeClosedPort();
  csv = join(sandbox, 'orders.csv');
  await writeFile(csv, 'order_ref\n');
  await mkdir(join(sandbox, 'exports'));
});

afterAll(async () => {
  await rm(sandbox, { recursive: true, force: true });
});

function baseEnv(home: string): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '', HOME: sandbox, PIPEFORGE_HOME: home };
}

/** Variables naming servers on a closed port, as a stopped stack leaves them. */
function stoppedStackEnv(): Record<string, string> {
  return {
    DATABASE_URL: `postgres://pipeforge:secret@127.0.0.1:${closedPort}/pipeforge`,
    TEMPORAL_ADDRESS: `127.0.0.1:${closedPort}`,
    MINIO_ENDPOINT: `http://127.0.0.1:${closedPort}`,
    MINIO_ACCESS_KEY: 'pipeforge',
    MINIO_SECRET_KEY: 'pipeforge-secret',
  };
}

const pipeforge = (env: NodeJS.ProcessEnv, ...args: string[]) => runPipeforge(args, { env, cwd: sandbox, timeoutMs: 30_000 });

function expectOneLine(run: CliRun, code: number, ...fragments: string[]): void {
  expect({ code: run.code, lines: stderrLines(run).length }).toEqual({ code, lines: 1 });
  for (const fragment of fragments) expect(run.stderr).toContain(fragment);
  expect(run.stderr).not.toMatch(STACK_FRAME);
}

describe('ordinary mistakes', () => {
  it('a missing file and a directory are named, with what to do', async () => {
    const env = { ...baseEnv(join(sandbox, 'none')), ...stoppedStackEnv() };
    expectOneLine(await pipeforge(env, 'ingest', 'nosuch.csv'), 1, 'pipeforge: nosuch.csv: no such file');
    expectOneLine(await pipeforge(env, 'ingest', 'exports/'), 1, 'exports/ is a directory', 'pipeforge ingest exports/*.csv');
  });
});

describe('no stack running', () => {
  it('without `pipeforge dev` or variables, says so instead of listing the variables', async () => {
    const env = baseEnv(join(sandbox, 'never-started'));
    expectOneLine(await pipeforge(env, 'files'), 1, '`pipeforge dev` is not running here and DATABASE_URL is not set: start it in another terminal');
    expectOneLine(await pipeforge(env, 'ingest', csv), 1, 'and MINIO_ENDPOINT, MINIO_ACCESS_KEY, MINIO_SECRET_KEY are not set');
  });

  it('a server that is not there is named by its address', async () => {
    const env = { ...baseEnv(join(sandbox, 'none')), ...stoppedStackEnv() };
    const where = `127.0.0.1:${closedPort} — is \`pipeforge dev\` running?`;
    const runs = await Promise.all([
      pipeforge(env, 'ingest', csv),
      pipeforge(env, 'status', `ingest-${'0'.repeat(64)}`),
      pipeforge(env, 'files'),
      pipeforge(env, 'schedule', 'list'),
    ]);
    expectOneLine(runs[0] as CliRun, 1, `pipeforge: cannot reach MinIO at ${where}`);
    expectOneLine(runs[1] as CliRun, 1, `pipeforge: cannot reach Temporal at ${where}`);
    expectOneLine(runs[2] as CliRun, 1, `pipeforge: cannot reach PostgreSQL at ${where}`);
    expectOneLine(runs[3] as CliRun, 1, `pipeforge: cannot reach Temporal at ${where}`);
  });

  it('--debug (or LOG_LEVEL=debug) adds the stack trace', async () => {
    const env = { ...baseEnv(join(sandbox, 'none')), ...stoppedStackEnv() };
    for (const run of [await pipeforge(env, 'files', '--debug'), await pipeforge({ ...env, LOG_LEVEL: 'debug' }, 'files')]) {
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('cannot reach PostgreSQL');
      expect(run.stderr).toMatch(STACK_FRAME);
    }
  });

  it('a dev.env left by a `pipeforge dev` that is gone is reported as stale, not used', async () => {
    // Where `pipeforge dev` leaves it by default: .pipeforge/ in the directory it ran in.
    const checkout = join(sandbox, 'checkout');
    await mkdir(join(checkout, '.pipeforge'), { recursive: true });
    const pid = await deadPid();
    await writeEnvFile(join(checkout, '.pipeforge', 'dev.env'), { ...stoppedStackEnv(), PIPEFORGE_DEV_PID: String(pid) });
    const { PIPEFORGE_HOME: _unset, ...env } = baseEnv('');
    for (const args of [['files'], ['ingest', csv], ['status', 'nosuchthing']]) {
      const run = await runPipeforge(args, { env, cwd: checkout, timeoutMs: 30_000 });
      expectOneLine(
        run,
        1,
        `pipeforge: .pipeforge/dev.env was left by a \`pipeforge dev\` (pid ${pid}) that is no longer running; ` +
          'start `pipeforge dev` again or delete the file',
      );
    }
  });

  it('a dev.env of a running `pipeforge dev` is used', async () => {
    const home = join(sandbox, 'live');
    await mkdir(home);
    // This test process stands in for the `dev` that wrote it.
    await writeEnvFile(join(home, 'dev.env'), { ...stoppedStackEnv(), PIPEFORGE_DEV_PID: String(process.pid) });
    expectOneLine(await pipeforge(baseEnv(home), 'files'), 1, `cannot reach PostgreSQL at 127.0.0.1:${closedPort}`);
  });
});
