import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { ServerUser } from './reachability.ts';
import { StackSetupError } from './stack-setup-error.ts';

const run = promisify(execFile);

/** The OS account PostgreSQL runs as when the stack is started by root. */
export const SERVER_ACCOUNT = 'postgres';

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

async function lookUp(name: string): Promise<ServerUser | null> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return null;
  }
}

function firstLine(error: unknown): string {
  const stderr = (error as { stderr?: unknown }).stderr;
  const text = typeof stderr === 'string' && stderr.trim() !== '' ? stderr : String((error as Error).message ?? error);
  return text.trim().split('\n', 1)[0] ?? '';
}

/**
 * PostgreSQL refuses to run as root, so as root it runs as the `postgres` account, created here
 * (as a system account without a home) when the machine has none.
 */
export async function ensurePostgresUser(): Promise<ServerUser> {
  const existing = await lookUp(SERVER_ACCOUNT);
  if (existing) return existing;
  try {
    await run('groupadd', ['--system', SERVER_ACCOUNT]).catch(async (error: unknown) => {
      // 9: the group exists already (e.g. left by a removed user); useradd can still join it.
      if ((error as { code?: unknown }).code !== 9) throw error;
    });
    await run('useradd', ['--system', '--gid', SERVER_ACCOUNT, '--no-create-home', '--shell', '/usr/sbin/nologin', SERVER_ACCOUNT]);
  } catch (error) {
    // A concurrent start may have created it in the meantime.
    const created = await lookUp(SERVER_ACCOUNT);
    if (created) return created;
    throw new StackSetupError(
      `PostgreSQL cannot run as root and the "${SERVER_ACCOUNT}" user it runs as instead could not be created ` +
        `(${firstLine(error)}); create that user (useradd --system ${SERVER_ACCOUNT}) or run as a non-root user`,
    );
  }
  const created = await lookUp(SERVER_ACCOUNT);
  if (!created) throw new StackSetupError(`useradd reported success but there is no "${SERVER_ACCOUNT}" user; create it by hand`);
  return created;
}
