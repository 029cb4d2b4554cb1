import type { Client } from '@temporalio/client';
import { sha256File } from '../client/submit-file.ts';
import { ingestWorkflowId } from '../workflows/ingest-file-contract.ts';
import { startBenchWorker, type BenchWorker } from './bench-worker.ts';
import type { Cleanup } from './cleanup.ts';
import { fetchStageTimings } from './stage-timings.ts';
import type { StageTimings } from './bench-results.ts';

/** What every measure needs: the stack's environment for child processes, a client, the progress line. */
export type BenchContext = {
  env: NodeJS.ProcessEnv;
  databaseUrl: string;
  /** Scratch space deleted with the stack (the peer's pipeline state). */
  workDir: string;
  client: Client;
  cleanup: Cleanup;
  say(text: string): void;
};

/**
 * Runs `use` with `count` fresh worker processes, then stops them and returns each one's peak RSS.
 * Whatever happens in between, the workers are stopped at cleanup at the latest.
 */
export async function withWorkers<T>(
  context: BenchContext,
  count: number,
  use: (workers: readonly BenchWorker[]) => Promise<T>,
): Promise<{ value: T; peaks: number[]; workers: readonly BenchWorker[] }> {
  const workers: BenchWorker[] = [];
  const unregister: Array<() => void> = [];
  for (let index = 0; index < count; index += 1) {
    const worker = await startBenchWorker(context.env);
    workers.push(worker);
    unregister.push(context.cleanup.add(() => worker.stop()));
  }
  context.say(`  ${count === 1 ? 'worker' : 'workers'} ${workers.map((worker) => worker.pid).join(', ')} started`);
  const value = await use(workers);
  const peaks: number[] = [];
  for (const worker of workers) peaks.push((await worker.stop()).peakRssBytes);
  for (const remove of unregister) remove();
  return { value, peaks, workers };
}

/** The ingestion workflow id is derived from the content hash, so the file names its workflow. */
export async function stageTimingsOfFile(context: BenchContext, path: string): Promise<StageTimings> {
  const workflowId = ingestWorkflowId(await sha256File(path));
  return fetchStageTimings(context.client.workflow.getHandle(workflowId));
}
