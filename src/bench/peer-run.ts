import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { basename } from 'node:path';
import { killOnExit } from '../stack/exit-guard.ts';
import type { BenchContext } from './bench-context.ts';
import type { PeerRun } from './bench-results.ts';
import { measureMachineBusy } from './cpu-time.ts';
import { parsePeerOutput, RUSAGE_WRAPPER } from './peer-output.ts';
import type { Peer } from './peer-setup.ts';

/** A dlt dataset (its PostgreSQL schema) and the pipeline's local state that goes with it. */
export type PeerTarget = { dataset: string; pipelinesDir: string };

/** What the peer reads from the environment besides DATABASE_URL: the same key and zones as PipeForge's. */
const PASSED_ON = ['PIPEFORGE_EMAIL_HASH_KEY', 'PIPEFORGE_SOURCE_TZ', 'PIPEFORGE_BUSINESS_TZ', 'PIPEFORGE_MAX_REJECT_RATIO'];

const STOP_TIMEOUT_MS = 10_000;

/**
 * `dlt_orders.py --dataset D --pipelines-dir P FILE` as the peer's README runs it, against the
 * bench's PostgreSQL. The URL goes in the environment, which other users' `ps` does not show.
 * A run that fails, or that found the file loaded already, stops the bench: a number measured on
 * it would compare nothing.
 */
export async function runPeer(context: BenchContext, peer: Peer, target: PeerTarget, file: string): Promise<PeerRun> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATABASE_URL: context.databaseUrl };
  for (const name of PASSED_ON) if (context.env[name] !== undefined) env[name] = context.env[name];
  const args = ['-c', RUSAGE_WRAPPER, peer.python, peer.script, '--dataset', target.dataset, '--pipelines-dir', target.pipelinesDir, file];

  const { value, cores, busySeconds } = await measureMachineBusy(async () => {
    const startedAt = performance.now();
    // Its own process group, so that stopping the wrapper stops the peer under it too.
    const child = spawn(peer.python, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const pid = child.pid;
    const releaseGuard = pid === undefined ? () => {} : killOnExit(-pid);
    const unregister = context.cleanup.add(async () => {
      if (pid === undefined || child.exitCode !== null) return;
      signalGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), STOP_TIMEOUT_MS);
      await once(child, 'close').finally(() => clearTimeout(timer));
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
    const [code] = (await once(child, 'close')) as [number | null];
    const wallSeconds = (performance.now() - startedAt) / 1000;
    releaseGuard();
    unregister();
    return { code, stdout, stderr, wallSeconds };
  });

  const { code, stdout, stderr, wallSeconds } = value;
  if (code !== 0) throw new Error(`the dlt peer on ${basename(file)} exited ${code}:\n${stderr}${stdout.slice(-2000)}`);
  const output = parsePeerOutput(stdout);
  if (output.duplicate) throw new Error(`the dlt peer found ${basename(file)} in dataset ${target.dataset} already: nothing loaded`);
  return {
    wallSeconds,
    steps: output.steps,
    peakRssBytes: output.peakRssBytes,
    cpu: { cores, machineBusySeconds: busySeconds, workerSeconds: output.cpuSeconds },
  };
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Gone already.
  }
}
