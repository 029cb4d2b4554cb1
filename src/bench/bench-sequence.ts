import type { BenchContext } from './bench-context.ts';
import { firstFileSpec, secondFileSpec } from './bench-files.ts';
import type { BenchOptions } from './bench-options.ts';
import type { BenchResults, PeerFirstLoad, SecondFileResult, SizeResult } from './bench-results.ts';
import { rowsLabel } from './measures.ts';
import type { PeerSetup } from './peer-setup.ts';
import { measureAtOnce } from './scenario-at-once.ts';
import { measureConcurrency } from './scenario-concurrency.ts';
import { measureParseSplit } from './scenario-parse-split.ts';
import { measureSideBySide, peerTarget } from './scenario-side-by-side.ts';
import { measureWarmWorker } from './scenario-warm-worker.ts';

/**
 * Every measure, in an order that keeps the comparisons fair: the smallest size first on both
 * sides, then the second file of that size on both sides while each side's database holds just
 * the first one, then the other sizes (each into a fresh peer schema), the four files at once, the
 * warm worker (whose daily file is dated after every big file) and the concurrency measure.
 */
export async function runScenarios(context: BenchContext, options: BenchOptions, peer: PeerSetup): Promise<BenchResults> {
  const ordered = [...options.sizes].sort((a, b) => a - b);
  const baseRows = ordered[0];
  if (baseRows === undefined) throw new Error('no size to measure');
  const sizes: SizeResult[] = [];
  const peerFirstLoads: PeerFirstLoad[] = [];
  const firstLoad = async (rows: number) => {
    context.say(`${rowsLabel(rows)} lines, first load: PipeForge, then the dlt peer into a fresh schema`);
    const result = await measureSideBySide(context, peer, firstFileSpec(rows), peerTarget(context, datasetName(rows)));
    sizes.push(result.pipeforge);
    peerFirstLoads.push({ rows, peer: result.peer });
    return result.pipeforge;
  };

  await firstLoad(baseRows);
  context.say(`a second ${rowsLabel(baseRows)}-line file (the next 90 days) into the populated database: PipeForge, then the peer`);
  // The peer's second load goes into the schema of its first, with that load's pipeline state.
  const secondFile: SecondFileResult = await measureSideBySide(context, peer, secondFileSpec(baseRows), peerTarget(context, datasetName(baseRows)));
  for (const rows of ordered.slice(1)) await firstLoad(rows);
  const parseSplit = await measureParseSplit(context, firstFileSpec(baseRows));

  const fourAtOnce = await measureAtOnce(context, baseRows);
  const { warmSmall, reaggregate } = await measureWarmWorker(context);
  const concurrency = options.skipConcurrency ? null : await measureConcurrency(context, options.concurrencyRows);
  // In the order given, as the report always listed them.
  const bySizeGiven = options.sizes.map((rows) => sizes.find((size) => size.rows === rows)).filter((size) => size !== undefined);
  return { sizes: bySizeGiven, warmSmall, reaggregate, concurrency, peerFirstLoads, secondFile, fourAtOnce, parseSplit };
}

/** The peer's schema for a first load of this size (and its staging schema, `<name>_staging`). */
export function datasetName(rows: number): string {
  return `dlt_peer_${rows}`;
}
