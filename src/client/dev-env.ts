import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readEnvFile } from '../stack/env-file.ts';

/** Where `pipeforge dev` keeps its state: `.pipeforge/` in the working directory unless PIPEFORGE_HOME says otherwise. */
export function pipeforgeHome(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.PIPEFORGE_HOME ?? '.pipeforge');
}

export function devEnvPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(pipeforgeHome(env), 'dev.env');
}

/**
 * A second terminal works while `pipeforge dev` runs: variables that are not set in the
 * environment are taken from the file `dev` wrote. Variables that are set always win.
 */
export async function applyDevEnv(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const path = devEnvPath(env);
  if (!existsSync(path)) return false;
  const fromFile = await readEnvFile(path);
  for (const [key, value] of Object.entries(fromFile)) {
    if (env[key] === undefined || env[key] === '') env[key] = value;
  }
  return true;
}
