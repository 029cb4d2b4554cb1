import type { ReaggregateResult, WarmSmallResult } from './bench-results.ts';
import { withWorkers, stageTimingsOfFile, type BenchContext } from './bench-context.ts';
import { addDays, ensureBenchFile, SECOND_FILE_END } from './bench-files.ts';
import { runIngestCli } from './ingest-cli.ts';
import { seconds } from './measures.ts';
import { settleDatabase } from './settle-database.ts';

const SMALL_ROWS = 10_000;
/** The big files' last orders are the second file's, on the day before SECOND_FILE_END. */
const NEXT_DAY_END = addDays(SECOND_FILE_END, 1);

/**
 * On one worker: a warm-up file (bundle loaded, connections open, code paths compiled), the
 * database's maintenance after the big files (settle-database.ts), then the timed 10,000-line
 * file, a day's export: its orders are all on the day after the big files' last day, as a daily
 * file's would be. Then a 10,000-line file dated on one day the big files already fill, whose
 * aggregation is the re-aggregation of that day in a database holding all of them.
 */
export async function measureWarmWorker(
  context: BenchContext,
): Promise<{ warmSmall: WarmSmallResult; reaggregate: ReaggregateResult }> {
  const { say } = context;
  say(`${SMALL_ROWS.toLocaleString('en-US')} lines on a warm worker, and one day re-aggregated`);
  const warmUp = await ensureBenchFile({ rows: SMALL_ROWS, seed: 2, days: 30, refPrefix: 'WARMUP' });
  const small = await ensureBenchFile({ rows: SMALL_ROWS, seed: 3, days: 1, endDate: NEXT_DAY_END, refPrefix: 'WARM' });
  const oneDay = await ensureBenchFile({ rows: SMALL_ROWS, seed: 4, days: 1, refPrefix: 'ONEDAY' });
  const { value } = await withWorkers(context, 1, async () => {
    await runIngestCli(context.env, [warmUp]);
    const settled = await settleDatabase(context.databaseUrl);
    say(`  vacuumed, analysed and checkpointed the database in ${seconds(settled)}, as autovacuum would after the big files`);
    const timed = await runIngestCli(context.env, [small]);
    // Where the time went: the rest of the end-to-end time is the CLI's own start, upload and wait.
    const { stages, workflowSeconds } = await stageTimingsOfFile(context, small);
    say(
      `  warm worker: ${seconds(timed.seconds)} (workflow ${seconds(workflowSeconds)}: hash ${seconds(stages.hashAndClaim)}, ` +
        `parse ${seconds(stages.parseToStaging)}, load ${seconds(stages.loadFromStaging)}, aggregate ${seconds(stages.aggregateDays)})`,
    );
    const dayRun = await runIngestCli(context.env, [oneDay]);
    return { timed, daysAggregated: dayRun.summaries[0]?.aggregatedDays ?? 0 };
  });
  const aggregateSeconds = (await stageTimingsOfFile(context, oneDay)).stages.aggregateDays;
  say(`  one day re-aggregated in ${seconds(aggregateSeconds)}`);
  return {
    warmSmall: { rows: SMALL_ROWS, endToEndSeconds: value.timed.seconds },
    reaggregate: { rows: SMALL_ROWS, aggregateSeconds, daysAggregated: value.daysAggregated },
  };
}
