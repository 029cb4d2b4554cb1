import { isPeerRun, type BenchResults, type PeerResult } from './bench-results.ts';
import { markdownTable } from './markdown-table.ts';
import { times } from './measures-issue12.ts';
import { cpuSentence, mib, PEER_CPU_NAMES, rowsLabel, seconds } from './measures.ts';
import { peerStepsSummary } from './peer-output.ts';

/** The loads both sides made, with their wall times and the ratio, as the issue tabulates them. */
export function sideBySideTable(results: BenchResults): string {
  const row = (load: string, ours: number, peer: PeerResult | undefined) => [
    load,
    seconds(ours),
    peer ? (isPeerRun(peer) ? seconds(peer.wallSeconds) : peer.missing) : 'not run',
    peer && isPeerRun(peer) ? times(ours / peer.wallSeconds) : '',
  ];
  const rows = results.sizes.map((size) =>
    row(
      `${rowsLabel(size.rows)}-line file, first load (the peer into a fresh schema)`,
      size.endToEndSeconds,
      results.peerFirstLoads.find((load) => load.rows === size.rows)?.peer,
    ),
  );
  const { pipeforge, peer } = results.secondFile;
  rows.push(row(`a second ${rowsLabel(pipeforge.rows)}-line file into the populated database`, pipeforge.endToEndSeconds, peer));
  return markdownTable(['load', 'PipeForge `ingest --wait`', 'dlt peer', 'PipeForge ÷ peer'], rows, ['left', 'right', 'right', 'right']);
}

/** The peer's run on a file: its wall time and steps, its peak and where the CPU went. */
export function peerParagraph(peer: PeerResult): string {
  if (!isPeerRun(peer)) return `dlt peer on the same file: ${peer.missing}.`;
  return [
    `dlt peer on the same file: ${seconds(peer.wallSeconds)} wall (its steps: ${peerStepsSummary(peer.steps)}), ` +
      `peak RSS ${mib(peer.peakRssBytes)}.`,
    '',
    `CPU, dlt peer: ${cpuSentence(peer.cpu, peer.wallSeconds, PEER_CPU_NAMES)}.`,
  ].join('\n');
}
