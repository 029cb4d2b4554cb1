import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cacheDir } from '../stack/binaries.ts';

/**
 * What the peer runs on, pinned so that two bench runs months apart measure the same peer: the
 * versions pip resolved when the peer was first measured beside PipeForge.
 */
export const PEER_REQUIREMENTS = ['dlt[postgres]==1.31.0', 'pyarrow==26.0.1'] as const;

/** Written last: a venv without it was interrupted mid-install and is built again. */
const COMPLETE_MARKER = 'pipeforge-complete';

/** One directory per set of pins, so changing a pin never reuses a venv built for the old ones. */
export function peerVenvDir(requirements: readonly string[] = PEER_REQUIREMENTS, root = cacheDir()): string {
  const key = createHash('sha256').update(requirements.join('\n')).digest('hex').slice(0, 12);
  return join(root, 'peer-venv', key);
}

/**
 * The venv's python, created on first use with `python3 -m venv` and pip from the package
 * registry, reused by later runs. `onCreate` is told before the slow part starts.
 */
export async function ensurePeerVenv(onCreate?: (dir: string) => void): Promise<string> {
  const dir = peerVenvDir();
  const python = join(dir, 'bin', 'python');
  const marker = join(dir, COMPLETE_MARKER);
  if (existsSync(marker) && (await readFile(marker, 'utf8')) === PEER_REQUIREMENTS.join('\n')) return python;
  onCreate?.(dir);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const basePython = process.env['PIPEFORGE_PEER_PYTHON'] || 'python3';
  await run(basePython, ['-m', 'venv', dir]);
  await run(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--quiet', ...PEER_REQUIREMENTS]);
  await writeFile(marker, PEER_REQUIREMENTS.join('\n'));
  return python;
}

async function run(command: string, args: readonly string[]): Promise<void> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: string) => (output = (output + chunk).slice(-4000));
  child.stdout.setEncoding('utf8').on('data', keep);
  child.stderr.setEncoding('utf8').on('data', keep);
  // once() rejects when the child emits 'error' instead, e.g. when python3 is not installed.
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0) throw new Error(`${command} ${args.slice(0, 3).join(' ')} exited ${code}:\n${output.trim()}`);
}
