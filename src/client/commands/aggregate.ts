import { parseArgs } from 'node:util';
import { loadTemporalConfig } from '../../config.ts';
import { lastDaysRange } from '../../domain/business-dates.ts';
import type { Logger } from '../../logger.ts';
import { explicitRange, lastDaysFromArgs, type RangeArgs } from '../aggregation-range-args.ts';
import { UsageError } from '../../errors.ts';
import { businessTimeZone } from '../business-time-zone.ts';
import { out } from '../output.ts';
import { awaitAggregation, startAggregation } from '../start-aggregation.ts';
import { connectClient } from '../temporal-client.ts';

const USAGE = 'usage: pipeforge aggregate (--from YYYY-MM-DD --to YYYY-MM-DD | --last-days N) [--json]';

/** Recomputes sales_aggregates_daily for a range of business dates now, and waits, showing progress. */
export async function aggregateCommand(args: string[], _logger: Logger): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      'last-days': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  let range: { from: string; to: string };
  try {
    range = rangeFromArgs(values);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    out.error(`pipeforge aggregate: ${error.message}\n\n${USAGE}`);
    return 2;
  }

  const temporal = loadTemporalConfig();
  const client = await connectClient(temporal);
  try {
    const handle = await startAggregation(client, temporal.taskQueue, range);
    if (!values.json) out.line(`Recomputing ${range.from}..${range.to} (workflow ${handle.workflowId})`);
    const result = await awaitAggregation(handle, (progress) => {
      if (!values.json) out.line(`  ${progress.daysDone}/${progress.totalDays} days`);
    });
    if (values.json) out.json({ workflowId: handle.workflowId, ...result });
    else out.line(`Done: ${result.daysAggregated} days recomputed (${result.from}..${result.to}).`);
    return 0;
  } finally {
    await client.connection.close();
  }
}

/** An interactive `--last-days` is resolved here, so the workflow's id names the dates it covers. */
function rangeFromArgs(values: RangeArgs): { from: string; to: string } {
  const lastDays = lastDaysFromArgs(values);
  return lastDays === undefined ? explicitRange(values) : lastDaysRange(lastDays, businessTimeZone(), Date.now());
}
