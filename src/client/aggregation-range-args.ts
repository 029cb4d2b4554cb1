import { daysInRange, isIsoDate } from '../domain/business-dates.ts';
import type { AggregateSalesInput } from '../workflows/aggregate-sales-contract.ts';
import { UsageError } from '../errors.ts';

export type RangeArgs = { from?: string | undefined; to?: string | undefined; 'last-days'?: string | undefined };

/** `--from D --to D` (both included) or `--last-days N` (evaluated when each run starts). */
export function aggregationRangeFromArgs(args: RangeArgs, timeZone: string): AggregateSalesInput {
  const lastDays = lastDaysFromArgs(args);
  return lastDays === undefined ? explicitRange(args) : { lastDays, timeZone };
}

/** The `--last-days` count, or undefined when the range is given by `--from` and `--to`. */
export function lastDaysFromArgs(args: RangeArgs): number | undefined {
  const lastDays = args['last-days'];
  if (lastDays === undefined) return undefined;
  if (args.from !== undefined || args.to !== undefined) throw new UsageError('give either --last-days or --from and --to, not both');
  if (!/^\d+$/.test(lastDays) || Number(lastDays) < 1) throw new UsageError('--last-days must be a whole number ≥ 1');
  return Number(lastDays);
}

export function explicitRange(args: RangeArgs): { from: string; to: string } {
  const { from, to } = args;
  if (from === undefined || to === undefined) throw new UsageError('--from and --to are both required');
  for (const [name, value] of [['--from', from], ['--to', to]] as const) {
    if (!isIsoDate(value)) throw new UsageError(`${name} must be a date in YYYY-MM-DD form, not ${JSON.stringify(value)}`);
  }
  if (daysInRange(from, to) === 0) throw new UsageError(`--from ${from} is after --to ${to}`);
  return { from, to };
}

export function describeRange(input: AggregateSalesInput): string {
  return 'lastDays' in input
    ? `the last ${input.lastDays} day${input.lastDays === 1 ? '' : 's'} in ${input.timeZone}`
    : `${input.from}..${input.to}`;
}
