import type { AtOnceResult } from './bench-results.ts';
import { withWorkers, type BenchContext } from './bench-context.ts';
import { ensureBenchFile } from './bench-files.ts';
import { runIngestCli } from './ingest-cli.ts';
import { mib, rowsLabel, seconds } from './measures.ts';

export const AT_ONCE_FILES = 4;

/**
 * Four big files in one `ingest --wait` call, one worker process: how much its memory holds when
 * it has more than one file's activities to run. Each file has its own order references, so none
 * replaces another's orders.
 */
export async function measureAtOnce(context: BenchContext, rowsPerFile: number): Promise<AtOnceResult> {
  const { say } = context;
  say(`${AT_ONCE_FILES} files of ${rowsLabel(rowsPerFile)} lines at once on one worker`);
  const files: string[] = [];
  for (let index = 1; index <= AT_ONCE_FILES; index += 1) {
    const spec = { rows: rowsPerFile, seed: 300 + index, days: 90, refPrefix: `FOUR${index}-${rowsPerFile}` };
    files.push(await ensureBenchFile(spec, (path) => say(`  generating ${path}`)));
  }
  const { value, peaks } = await withWorkers(context, 1, () => runIngestCli(context.env, files));
  const peakRssBytes = peaks[0] ?? 0;
  say(`  ${AT_ONCE_FILES} at once: ${seconds(value.seconds)}; worker peak RSS ${mib(peakRssBytes)}`);
  return { files: AT_ONCE_FILES, rowsPerFile, seconds: value.seconds, peakRssBytes };
}
