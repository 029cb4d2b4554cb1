import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The CLI as a person runs it: bin/pipeforge, which runs the project's own Node 24. */
export const PIPEFORGE_BIN = fileURLToPath(new URL('../../bin/pipeforge', import.meta.url));

export type CliRun = { code: number | null; stdout: string; stderr: string; ms: number };

export type CliOptions = {
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** Killed after this long (a guard for a readable failure, not a performance limit). */
  timeoutMs?: number;
  /** Called once the process runs, e.g. to stop a server under it. */
  onStarted?: () => void;
};

export function runPipeforge(args: readonly string[], options: CliOptions): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(PIPEFORGE_BIN, [...args], { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const guard = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.once('spawn', () => options.onStarted?.());
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** The lines a run printed on stderr, without the empty last one. */
export function stderrLines(run: CliRun): string[] {
  return run.stderr.split('\n').filter((line) => line !== '');
}

/** A stack frame as Node prints it. */
export const STACK_FRAME = /^\s+at /m;

/**
 * bin/pipeforge with its stdout on a pseudo-terminal `columns` wide (util-linux `script`), as a
 * person in a terminal runs it: what it printed, escapes and all, for a virtual terminal to replay.
 */
export function runPipeforgeOnTerminal(args: readonly string[], options: CliOptions & { columns: number }): Promise<CliRun> {
  const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;
  const command = `stty cols ${options.columns} rows 50 && exec ${[PIPEFORGE_BIN, ...args].map(quote).join(' ')}`;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['--quiet', '--return', '--flush', '--command', command, '/dev/null'], {
      env: options.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const guard = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}
