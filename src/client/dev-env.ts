import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { readEnvFile, writeEnvFile } from '../stack/env-file.ts';
import { CommandError } from './command-error.ts';

/** Where `pipeforge dev` keeps its state: `.pipeforge/` in the working directory unless PIPEFORGE_HOME says otherwise. */
export function pipeforgeHome(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.PIPEFORGE_HOME ?? '.pipeforge');
}

export function devEnvPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(pipeforgeHome(env), 'dev.env');
}

/**
 * The pid of the `pipeforge dev` that wrote the file. Its servers are tied to that process (they
 * die with it), and so is the worker, so once it is gone nothing the file names is serving.
 */
const DEV_PID_KEY = 'PIPEFORGE_DEV_PID';

export async function writeDevEnv(path: string, stackEnv: Readonly<Record<string, string>>): Promise<void> {
  await writeEnvFile(path, { ...stackEnv, [DEV_PID_KEY]: String(process.pid) });
}

export type DevEnvState = { path: string; found: 'none' | 'applied' };

/** A path as the user would type it: relative to the working directory when it is below it. */
export function displayPath(path: string): string {
  const below = relative(process.cwd(), path);
  return below !== '' && !below.startsWith('..') ? below : path;
}

/**
 * A second terminal works while `pipeforge dev` runs: variables that are not set in the
 * environment are taken from the file `dev` wrote. Variables that are set always win. A file left
 * by a `dev` that is no longer running is refused, not used: its ports are closed or, worse, have
 * been taken by something else.
 */
export async function applyDevEnv(env: NodeJS.ProcessEnv = process.env): Promise<DevEnvState> {
  const path = devEnvPath(env);
  if (!existsSync(path)) return { path, found: 'none' };
  const { [DEV_PID_KEY]: pid, ...fromFile } = await readEnvFile(path);
  const missing = Object.entries(fromFile).filter(([key]) => env[key] === undefined || env[key] === '');
  if (missing.length === 0) return { path, found: 'applied' };
  if (pid !== undefined && !isRunning(Number(pid))) {
    throw new CommandError(
      `${displayPath(path)} was left by a \`pipeforge dev\` (pid ${pid}) that is no longer running; start \`pipeforge dev\` again or delete the file`,
    );
  }
  for (const [key, value] of missing) env[key] = value;
  return { path, found: 'applied' };
}

function isRunning(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    // EPERM too: the file is readable by its owner only, so a process of another user that holds
    // the pid now is not the `dev` that wrote it.
    return false;
  }
}
