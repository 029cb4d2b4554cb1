import { join } from 'node:path';
import type { BenchContext } from './bench-context.ts';
import { ensureBenchFile, type BenchFileSpec } from './bench-files.ts';
import type { PeerResult, SizeResult } from './bench-results.ts';
import { cpuSentence, mib, PEER_CPU_NAMES, seconds } from './measures.ts';
import { peerStepsSummary } from './peer-output.ts';
import { runPeer, type PeerTarget } from './peer-run.ts';
import type { PeerSetup } from './peer-setup.ts';
import { measureBigFile } from './scenario-big-file.ts';
import { settleDatabase } from './settle-database.ts';

/** A fresh dataset for a first load; the same one again for the file that follows it. */
export function peerTarget(context: BenchContext, dataset: string): PeerTarget {
  return { dataset, pipelinesDir: join(context.workDir, 'dlt-pipelines', dataset) };
}

/**
 * One file through PipeForge, then the same file through the peer, one after the other on the
 * same PostgreSQL, so that neither competes with the other for the two cores. Before each, the
 * database's maintenance after the previous load (settle-database.ts), so that neither pays for
 * the other's autovacuum.
 */
export async function measureSideBySide(
  context: BenchContext,
  setup: PeerSetup,
  spec: BenchFileSpec,
  target: PeerTarget,
): Promise<{ pipeforge: SizeResult; peer: PeerResult }> {
  const path = await ensureBenchFile(spec, (file) => context.say(`  generating ${file}`));
  await settle(context);
  const pipeforge = await measureBigFile(context, spec);
  if ('missing' in setup) return { pipeforge, peer: { missing: setup.missing } };
  await settle(context);
  const peer = await runPeer(context, setup.peer, target, path);
  context.say(
    `  dlt peer (dataset ${target.dataset}): ${seconds(peer.wallSeconds)} (${peerStepsSummary(peer.steps)}); ` +
      `peak RSS ${mib(peer.peakRssBytes)}`,
  );
  context.say(`  CPU: ${cpuSentence(peer.cpu, peer.wallSeconds, PEER_CPU_NAMES)}`);
  return { pipeforge, peer };
}

async function settle(context: BenchContext): Promise<void> {
  const settled = await settleDatabase(context.databaseUrl);
  context.say(`  VACUUM (ANALYZE) and CHECKPOINT first: ${seconds(settled)}`);
}
