import { isPeerRun, type BenchResults, type PeerResult, type SizeResult } from './bench-results.ts';
import { mib, reaggregate, rowsLabel, seconds, verdict, warmSmall, type Measure } from './measures.ts';

/**
 * The targets of the issue that measures PipeForge beside the dlt peer (#12). They are set for
 * files of 1M and 5M lines; a run with other sizes measures the same ratios on its own sizes and
 * names them, so that a quick run still says what it measured.
 */
export const ISSUE12_TARGETS = {
  firstLoadRatio: 1.25,
  firstLoadAim: 1,
  secondFileRatio: 1,
  /** 5M ÷ 1M ≤ 5.5: at most a tenth more per line in the bigger file. */
  perLineGrowth: 1.1,
  parseSplitRatio: 0.7,
  peakOfPeer: 0.5,
  /** "Flat": the biggest file's peak within this fraction of the smallest's. */
  rssGrowth: 0.1,
  atOnceMiB: 512,
} as const;

const MiB = 1024 * 1024;

export function evaluateIssue12Measures(results: BenchResults): Measure[] {
  const bySize = [...results.sizes].sort((a, b) => a.rows - b.rows);
  const base = bySize[0];
  const largest = bySize.length > 1 ? bySize.at(-1) : undefined;
  const basePeer = base ? peerOf(results, base.rows) : undefined;
  return [
    firstLoad(base, basePeer),
    secondFile(results),
    growth(base, largest),
    parseSplit(results),
    peakAgainstPeer(bySize, basePeer),
    flatPeak(base, largest),
    atOnce(results),
    warmSmall(results),
    reaggregate(results),
  ];
}

function firstLoad(base: SizeResult | undefined, peer: PeerResult | undefined): Measure {
  const measure = `${base ? rowsLabel(base.rows) : '1M'}-line first load, end to end, PipeForge ÷ peer`;
  const target = `≤ ${times(ISSUE12_TARGETS.firstLoadRatio)} (aim ≤ ${times(ISSUE12_TARGETS.firstLoadAim)})`;
  if (!base || !peer) return { measure, target, result: 'no size run', verdict: 'not measured' };
  return againstPeer(measure, target, base.endToEndSeconds, peer, ISSUE12_TARGETS.firstLoadRatio);
}

function secondFile({ secondFile: second }: BenchResults): Measure {
  const measure =
    `a second ${rowsLabel(second.pipeforge.rows)}-line file (new orders on the next 90 days, same customers and products) ` +
    'into the populated database, PipeForge ÷ peer';
  const target = `≤ ${times(ISSUE12_TARGETS.secondFileRatio)}`;
  return againstPeer(measure, target, second.pipeforge.endToEndSeconds, second.peer, ISSUE12_TARGETS.secondFileRatio);
}

function againstPeer(measure: string, target: string, ours: number, peer: PeerResult, limit: number): Measure {
  if (!isPeerRun(peer)) return { measure, target, result: `PipeForge ${seconds(ours)}; ${peer.missing}`, verdict: 'not measured' };
  const ratio = ours / peer.wallSeconds;
  return { measure, target, result: `${seconds(ours)} ÷ ${seconds(peer.wallSeconds)} = ${times(ratio)}`, verdict: verdict(ratio <= limit) };
}

function growth(base: SizeResult | undefined, largest: SizeResult | undefined): Measure {
  if (!base || !largest) {
    return { measure: '5M-line file ÷ 1M-line file, PipeForge end to end', target: '≤ 5.5×', result: 'needs two sizes', verdict: 'not measured' };
  }
  const lines = largest.rows / base.rows;
  const limit = ISSUE12_TARGETS.perLineGrowth * lines;
  const ratio = largest.endToEndSeconds / base.endToEndSeconds;
  return {
    measure: `${rowsLabel(largest.rows)}-line file ÷ ${rowsLabel(base.rows)}-line file, PipeForge end to end`,
    target: `≤ ${times(limit, 1)} (${times(lines, 1)} the lines)`,
    result: `${seconds(largest.endToEndSeconds)} ÷ ${seconds(base.endToEndSeconds)} = ${times(ratio)}`,
    verdict: verdict(ratio <= limit),
  };
}

function parseSplit({ parseSplit: split }: BenchResults): Measure {
  const ratio = split.twoActivitiesSeconds / split.oneActivitySeconds;
  return {
    measure: `parse of one ${rowsLabel(split.rows)}-line file split over 2 activities ÷ the same in 1`,
    target: `≤ ${times(ISSUE12_TARGETS.parseSplitRatio, 1)}`,
    result: `${seconds(split.twoActivitiesSeconds)} (on ${split.workersUsed} worker${split.workersUsed === 1 ? '' : 's'}) ÷ ${seconds(split.oneActivitySeconds)} = ${times(ratio)}`,
    verdict: verdict(ratio <= ISSUE12_TARGETS.parseSplitRatio),
  };
}

function peakAgainstPeer(bySize: readonly SizeResult[], peer: PeerResult | undefined): Measure {
  const base = bySize[0];
  const baseLabel = base ? rowsLabel(base.rows) : '1M';
  const measure = `worker peak RSS, ${bySize.map((size) => rowsLabel(size.rows)).join(' and ')} lines, ÷ the peer's peak for the ${baseLabel}-line file`;
  const peaks = bySize.map((size) => `${rowsLabel(size.rows)}: ${mib(size.peakRssBytes)}`).join(', ');
  if (!base || !peer || !isPeerRun(peer)) {
    const target = `≤ ${times(ISSUE12_TARGETS.peakOfPeer, 1)} the peer's peak`;
    return { measure, target, result: `${peaks || 'no size run'}; ${peer && !isPeerRun(peer) ? peer.missing : 'no peer run'}`, verdict: 'not measured' };
  }
  const target = `≤ ${times(ISSUE12_TARGETS.peakOfPeer, 1)} the peer's peak (${mib(peer.peakRssBytes)})`;
  const ratios = bySize.map((size) => size.peakRssBytes / peer.peakRssBytes);
  return {
    measure,
    target,
    result: `${peaks} = ${ratios.map((ratio) => times(ratio)).join(', ')}`,
    verdict: verdict(ratios.every((ratio) => ratio <= ISSUE12_TARGETS.peakOfPeer)),
  };
}

function flatPeak(base: SizeResult | undefined, largest: SizeResult | undefined): Measure {
  const target = `flat (largest ≤ smallest + ${ISSUE12_TARGETS.rssGrowth * 100}%)`;
  if (!base || !largest) return { measure: 'worker peak RSS from 1M to 5M lines', target, result: 'needs two sizes', verdict: 'not measured' };
  const growthRatio = (largest.peakRssBytes - base.peakRssBytes) / base.peakRssBytes;
  return {
    measure: `worker peak RSS from ${rowsLabel(base.rows)} to ${rowsLabel(largest.rows)} lines`,
    target,
    result: `${mib(base.peakRssBytes)} → ${mib(largest.peakRssBytes)} (${growthRatio >= 0 ? '+' : ''}${(growthRatio * 100).toFixed(1)}%)`,
    verdict: verdict(growthRatio <= ISSUE12_TARGETS.rssGrowth),
  };
}

function atOnce({ fourAtOnce: result }: BenchResults): Measure {
  return {
    measure: `worker peak RSS, ${result.files === 4 ? 'four' : result.files} ${rowsLabel(result.rowsPerFile)}-line files at once on one worker`,
    target: `≤ ${ISSUE12_TARGETS.atOnceMiB} MiB`,
    result: `${mib(result.peakRssBytes)} (all ${result.files} done in ${seconds(result.seconds)})`,
    verdict: verdict(result.peakRssBytes <= ISSUE12_TARGETS.atOnceMiB * MiB),
  };
}

function peerOf(results: BenchResults, rows: number): PeerResult | undefined {
  return results.peerFirstLoads.find((load) => load.rows === rows)?.peer;
}

/** 2.1034 → '2.10×'. */
export function times(ratio: number, digits = 2): string {
  return `${ratio.toFixed(digits)}×`;
}
