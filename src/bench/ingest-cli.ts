import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { basename } from 'node:path';
import type { IngestSummary } from '../workflows/ingest-file-contract.ts';
import { killOnExit } from '../stack/exit-guard.ts';
import { CLI_ENTRY, PROJECT_ROOT } from './node-entry.ts';

export type IngestRun = {
  /** Wall time of the whole CLI process: start-up, upload, workflow start, wait for the results. */
  seconds: number;
  /** In the order of the files given. */
  summaries: IngestSummary[];
};

/**
 * `pipeforge ingest FILE... --wait --json` as a user runs it. A file that does not end `completed`
 * stops the bench: a number measured on a failed or duplicate ingestion would mean nothing.
 */
export async function runIngestCli(env: NodeJS.ProcessEnv, files: readonly string[]): Promise<IngestRun> {
  const startedAt = performance.now();
  const child = spawn(process.execPath, [CLI_ENTRY, 'ingest', ...files, '--wait', '--json'], {
    cwd: PROJECT_ROOT,
    env: { ...env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const releaseGuard = child.pid === undefined ? () => {} : killOnExit(child.pid);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  const [code] = (await once(child, 'close')) as [number | null];
  const seconds = (performance.now() - startedAt) / 1000;
  releaseGuard();

  const summaries = parseSummaries(stdout);
  const names = files.map((file) => basename(file)).join(' ');
  if (!summaries || summaries.length !== files.length) {
    throw new Error(`pipeforge ingest ${names} exited ${code} without a result per file:\n${stderr}${stdout.slice(0, 2000)}`);
  }
  const notCompleted = summaries.filter((summary) => summary.status !== 'completed');
  if (notCompleted.length > 0 || code !== 0) {
    const statuses = notCompleted.map((summary) => `${summary.filename}: ${summary.status}${summary.error ? ` (${summary.error})` : ''}`);
    throw new Error(`pipeforge ingest exited ${code}; not completed: ${statuses.join('; ') || 'none'}\n${stderr}`);
  }
  return { seconds, summaries };
}

function parseSummaries(stdout: string): IngestSummary[] | undefined {
  try {
    const parsed: unknown = JSON.parse(stdout);
    return Array.isArray(parsed) ? (parsed as IngestSummary[]) : undefined;
  } catch {
    return undefined;
  }
}
