import { loadTemporalConfig } from '../../config.ts';
import { lastDaysRange } from '../../domain/business-dates.ts';
import { explicitRange, lastDaysFromArgs, type RangeArgs } from '../aggregation-range-args.ts';
import { businessTimeZone } from '../business-time-zone.ts';
import { commandRunner } from '../command-line/run.ts';
import { AGGREGATE } from '../command-specs/aggregation.ts';
import { out } from '../output.ts';
import { ensureReachable, temporalEndpoint } from '../reachability.ts';
import { awaitAggregation, startAggregation } from '../start-aggregation.ts';
import { connectClient } from '../temporal-client.ts';

/** Recomputes sales_aggregates_daily for a range of business dates now, and waits, showing progress. */
export const aggregateCommand = commandRunner('aggregate', AGGREGATE, async ({ values }) => {
  const range = rangeFromArgs(values);
  const temporal = loadTemporalConfig();
  await ensureReachable(temporalEndpoint(temporal));
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
});

/** An interactive `--last-days` is resolved here, so the workflow's id names the dates it covers. */
function rangeFromArgs(values: RangeArgs): { from: string; to: string } {
  const lastDays = lastDaysFromArgs(values);
  return lastDays === undefined ? explicitRange(values) : lastDaysRange(lastDays, businessTimeZone(), Date.now());
}
