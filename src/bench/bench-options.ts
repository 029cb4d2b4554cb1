import { parseArgs } from 'node:util';

export type BenchOptions = {
  /** Lines per big file; each gets a fresh worker, its stage times, peak RSS and a COPY baseline. */
  sizes: number[];
  skipConcurrency: boolean;
  /** Where the Markdown report goes. */
  out: string;
  /** Lines per file of the concurrency measure: the target is for 100,000; smaller is for a quick check. */
  concurrencyRows: number;
  /** The dlt peer to run beside PipeForge; absent: PIPEFORGE_PEER_SCRIPT, else beside the repository. */
  peerScript?: string;
  /** PipeForge's numbers only, the peer's cells saying so. */
  skipPeer?: true;
};

export const DEFAULT_SIZES = [1_000_000, 5_000_000];
export const DEFAULT_CONCURRENCY_ROWS = 100_000;

export const BENCH_USAGE = [
  'usage: npm run bench -- [--sizes N,N...] [--skip-concurrency] [--out FILE] [--concurrency-rows N] [--peer-script FILE] [--skip-peer]',
  '  --sizes              lines per big file (default 1000000,5000000); the smallest is also the size of the',
  '                       second file, of the four files at once and of the parse measure',
  '  --skip-concurrency   skip the ten-files-at-once measure (the longest part)',
  '  --out                the Markdown report (default BENCHMARKS.md)',
  '  --concurrency-rows   lines per file of the concurrency measure (default 100000; lower only for a quick check)',
  '  --peer-script        the dlt peer (default: PIPEFORGE_PEER_SCRIPT, else ../shared/peers/dlt_orders.py beside the repository)',
  '  --skip-peer          do not run the dlt peer',
].join('\n');

export function parseBenchArgs(args: string[]): BenchOptions {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      sizes: { type: 'string', default: DEFAULT_SIZES.join(',') },
      'skip-concurrency': { type: 'boolean', default: false },
      out: { type: 'string', default: 'BENCHMARKS.md' },
      'concurrency-rows': { type: 'string', default: String(DEFAULT_CONCURRENCY_ROWS) },
      'peer-script': { type: 'string' },
      'skip-peer': { type: 'boolean', default: false },
    },
  });
  if (values['skip-peer'] && values['peer-script'] !== undefined) throw new Error('--skip-peer and --peer-script exclude each other');
  const sizes = values.sizes.split(',').map((part) => positiveInteger('--sizes', part.trim().replaceAll('_', '')));
  if (new Set(sizes).size !== sizes.length) throw new Error('--sizes must not repeat a size');
  return {
    sizes,
    skipConcurrency: values['skip-concurrency'],
    out: values.out,
    concurrencyRows: positiveInteger('--concurrency-rows', values['concurrency-rows']),
    // Absent rather than false or empty when not given, so that the defaults read as they always did.
    ...(values['peer-script'] !== undefined ? { peerScript: values['peer-script'] } : {}),
    ...(values['skip-peer'] ? { skipPeer: true as const } : {}),
  };
}

/** The command that reproduces a report's numbers; where it is written does not matter for that. */
export function reproduceCommand(options: BenchOptions): string {
  const args: string[] = [];
  if (options.sizes.join(',') !== DEFAULT_SIZES.join(',')) args.push(`--sizes ${options.sizes.join(',')}`);
  if (options.skipConcurrency) args.push('--skip-concurrency');
  else if (options.concurrencyRows !== DEFAULT_CONCURRENCY_ROWS) args.push(`--concurrency-rows ${options.concurrencyRows}`);
  // Where the peer is kept does not change its numbers; whether it ran does.
  if (options.skipPeer) args.push('--skip-peer');
  return args.length === 0 ? 'npm run bench' : `npm run bench -- ${args.join(' ')}`;
}

function positiveInteger(flag: string, raw: string): number {
  const value = Number(raw);
  if (raw === '' || !Number.isSafeInteger(value) || value < 1) throw new Error(`${flag} must be positive whole numbers, got '${raw}'`);
  return value;
}
