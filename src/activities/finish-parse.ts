import { Context } from '@temporalio/activity';
import { recordParseCounts } from '../db/ingestion-files.ts';
import { countParsedRows, rejectInconsistentOrders } from '../db/staging.ts';
import { RejectRatioExceededError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { writeRejectsReport } from '../rejects/rejects-report.ts';
import type { ParseHeartbeatDetails } from '../workflows/ingest-file-contract.ts';
import type { ActivityDeps } from './deps.ts';
import { toActivityFailure } from './failures.ts';
import { heartbeatWhile } from './heartbeat.ts';

export type ParseResult = {
  rowsRead: number;
  rowsStaged: number;
  rowsRejected: number;
  /** Object key (in the same bucket) of the report of rejected lines, when there were any. */
  rejectsReportKey: string | null;
};

export type FinishParseInput = { fileId: string; objectKey: string; filename: string; rowsRead: number };

/**
 * What the parse does once every line of the file is staged: the contract's cross-line rule (in
 * SQL over all staged lines, so an order split between parts is judged whole), the counts, the
 * rejects report, and the reject ratio check. `heartbeat` is what the activity reports meanwhile.
 */
export async function finishStagedParse(
  { pool, store, pipeline }: Pick<ActivityDeps, 'pool' | 'store' | 'pipeline'>,
  log: Logger,
  input: FinishParseInput,
  heartbeat: ParseHeartbeatDetails,
): Promise<ParseResult> {
  const context = Context.current();
  const { rowsRead } = input;
  const { stagedRows, rejectedRows } = await heartbeatWhile(
    (async () => {
      await rejectInconsistentOrders(pool, input.fileId);
      const counts = await countParsedRows(pool, input.fileId);
      await recordParseCounts(pool, input.fileId, { totalRows: rowsRead, failedRows: counts.rejectedRows });
      return counts;
    })(),
    () => heartbeat,
  );
  // Written before the ratio check: a refused file is the one whose sender most needs it.
  const rejectsReportKey =
    rejectedRows === 0
      ? null
      : await writeRejectsReport({
          pool,
          store,
          fileId: input.fileId,
          objectKey: input.objectKey,
          filename: input.filename,
          // The same details as the last batch's, so a retry still skips the staged lines.
          onProgress: () => context.heartbeat(heartbeat),
        });
  log.info({ rowsRead, stagedRows, rejectedRows, rejectsReportKey }, 'parsed file');
  if (rowsRead > 0 && rejectedRows / rowsRead > pipeline.maxRejectRatio) {
    throw new RejectRatioExceededError(input.filename, input.fileId, rejectedRows, rowsRead, pipeline.maxRejectRatio);
  }
  return { rowsRead, rowsStaged: stagedRows, rowsRejected: rejectedRows, rejectsReportKey };
}

/** The last step of a file parsed in parts, run once after every part is staged. */
export function createFinishParse(deps: ActivityDeps) {
  return async function finishParse(input: FinishParseInput): Promise<ParseResult> {
    try {
      return await finishStagedParse(deps, deps.logger.child({ fileId: input.fileId, stage: 'parse' }), input, { lineNumber: 0 });
    } catch (error) {
      throw toActivityFailure(error);
    }
  };
}
