import type { ConcurrencyResult } from './bench-results.ts';
import { withWorkers, type BenchContext } from './bench-context.ts';
import { ensureBenchFile } from './bench-files.ts';
import { runIngestCli } from './ingest-cli.ts';
import { seconds } from './measures.ts';

const FILES = 10;

/**
 * Ten files one at a time on one worker, then ten other files submitted at once to two workers.
 * Two sets, because a file already ingested would only come back as a duplicate; every file has
 * its own order references, so no file replaces another's orders.
 */
export async function measureConcurrency(context: BenchContext, rowsPerFile: number): Promise<ConcurrencyResult> {
  const { say } = context;
  say(`${FILES} files of ${rowsPerFile.toLocaleString('en-US')} lines: in turn on one worker, then at once on two`);
  const inTurn = await fileSet(rowsPerFile, 'SEQ', 100);
  const atOnce = await fileSet(rowsPerFile, 'PAR', 200);

  const { value: oneWorkerSeconds } = await withWorkers(context, 1, async () => {
    const startedAt = performance.now();
    for (const path of inTurn) await runIngestCli(context.env, [path]);
    return (performance.now() - startedAt) / 1000;
  });
  say(`  one worker, in turn: ${seconds(oneWorkerSeconds)}`);

  const { value: twoWorkers } = await withWorkers(context, 2, () => runIngestCli(context.env, atOnce));
  say(`  two workers, at once: ${seconds(twoWorkers.seconds)}`);
  return { files: FILES, rowsPerFile, oneWorkerSeconds, twoWorkersSeconds: twoWorkers.seconds };
}

async function fileSet(rows: number, prefix: string, firstSeed: number): Promise<string[]> {
  const paths: string[] = [];
  for (let index = 1; index <= FILES; index += 1) {
    const refPrefix = `${prefix}${String(index).padStart(2, '0')}`;
    paths.push(await ensureBenchFile({ rows, seed: firstSeed + index, days: 30, refPrefix }));
  }
  return paths;
}
