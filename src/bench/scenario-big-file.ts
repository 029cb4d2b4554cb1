import type { SizeResult } from './bench-results.ts';
import { withWorkers, stageTimingsOfFile, type BenchContext } from './bench-context.ts';
import { ensureBenchFile, type BenchFileSpec } from './bench-files.ts';
import { timeCopyTransport } from './copy-transport.ts';
import { measureCpuUse } from './cpu-time.ts';
import { runIngestCli } from './ingest-cli.ts';
import { cpuSentence, mib, rowsLabel, seconds } from './measures.ts';

/**
 * One big file through a worker started for it alone (its peak RSS is this file's), then the
 * same bytes through COPY once the worker has stopped, so the two never compete for the CPU.
 */
export async function measureBigFile(context: BenchContext, spec: BenchFileSpec): Promise<SizeResult> {
  const { say } = context;
  const { rows } = spec;
  const path = await ensureBenchFile(spec, (target) => say(`  generating ${target}`));
  const { value, peaks, workers } = await withWorkers(context, 1, ([worker]) =>
    measureCpuUse(worker?.pid ?? 0, () => runIngestCli(context.env, [path])),
  );
  const { value: ingest, cpu } = value;
  const atStart = workers[0]?.atStart ?? { peakBytes: 0, currentBytes: 0 };
  const peakRssBytes = peaks[0] ?? 0;
  say(`  PipeForge: ingested ${rowsLabel(rows)} lines in ${seconds(ingest.seconds)}; worker peak RSS ${mib(peakRssBytes)}`);
  say(`  CPU: ${cpuSentence(cpu, ingest.seconds)}`);
  const timings = await stageTimingsOfFile(context, path);
  const copy = await timeCopyTransport(context.databaseUrl, path);
  if (copy.rows !== rows) throw new Error(`COPY loaded ${copy.rows} rows of a ${rows}-line file`);
  say(`  COPY of the same file: ${seconds(copy.seconds)}`);
  return { rows, endToEndSeconds: ingest.seconds, timings, peakRssBytes, atStart, copySeconds: copy.seconds, cpu };
}
