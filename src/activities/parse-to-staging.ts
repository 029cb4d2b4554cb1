import { Context } from '@temporalio/activity';
import { createEmailHasher } from '../domain/email.ts';
import { readOrderLines } from '../domain/csv-order-lines.ts';
import { markProcessing, recordParseCounts } from '../db/ingestion-files.ts';
import { openCopyConnection } from '../db/copy-connection.ts';
import {
  copyStagedLines,
  countParsedRows,
  deleteStagedLinesAfter,
  insertRejects,
  rejectInconsistentOrders,
} from '../db/staging.ts';
import { RejectRatioExceededError } from '../errors.ts';
import { writeRejectsReport } from '../rejects/rejects-report.ts';
import { toActivityFailure } from './failures.ts';
import type { ActivityDeps } from './deps.ts';
import type { ParseHeartbeatDetails } from '../workflows/ingest-file-contract.ts';
import { heartbeatWhile, previousHeartbeat } from './heartbeat.ts';

export type ParseInput = { fileId: string; objectKey: string; filename: string };
export type ParseResult = {
  rowsRead: number;
  rowsStaged: number;
  rowsRejected: number;
  /** Object key (in the same bucket) of the report of rejected lines, when there were any. */
  rejectsReportKey: string | null;
};

/**
 * Rows per COPY. A file's last COPY starts only when its parse is done, so smaller batches shorten
 * a small file's wait; larger ones cost fewer round trips, which a big file's parse feels. This
 * size sits between the two that were measured (BENCHMARKS.md, rows per COPY), and a 10,000-line
 * file still overlaps half its COPY with its parse.
 */
const BATCH_SIZE = 5_000;

/**
 * Stage 2, parse: streams the object through the CSV reader into staging, a COPY per batch, with
 * rejects recorded beside it. While PostgreSQL takes one batch this process parses the next, so
 * both cores work. After each written batch the activity heartbeats the line reached; a retried
 * attempt skips writing what an earlier attempt already wrote (it still reads those lines, to
 * count them).
 */
export function createParseToStaging({ pool, databaseUrl, store, pipeline, logger }: ActivityDeps) {
  const hashEmail = createEmailHasher(pipeline.emailHashKey);

  return async function parseToStaging(input: ParseInput): Promise<ParseResult> {
    const log = logger.child({ fileId: input.fileId, stage: 'parse' });
    try {
      await markProcessing(pool, input.fileId);
      const context = Context.current();
      const resumeAfter = previousHeartbeat(isParseHeartbeat)?.lineNumber ?? 0;
      if (resumeAfter > 0) log.info({ resumeAfter }, 'resuming parse after the last written line');

      // What a dead attempt wrote after its last heartbeat is written again below.
      await deleteStagedLinesAfter(pool, input.fileId, resumeAfter);
      let rowsRead = 0;
      let lastLineNumber = 0;
      const connection = await openCopyConnection(databaseUrl);
      let writing: Promise<void> = Promise.resolve();
      try {
        const lines = readOrderLines(await store.read(input.objectKey), {
          filename: input.filename,
          sourceTimeZone: pipeline.sourceTimeZone,
          hashEmail,
          batchSize: BATCH_SIZE,
          logger: log,
        });
        for await (const batch of lines) {
          rowsRead += batch.rowsRead;
          lastLineNumber = batch.lastLineNumber;
          await writing;
          if (batch.lastLineNumber <= resumeAfter) {
            // Re-reading what an earlier attempt wrote is still progress the server must hear of.
            context.heartbeat({ lineNumber: resumeAfter } satisfies ParseHeartbeatDetails);
            continue;
          }
          const fresh = batch.lines.filter((line) => line.lineNumber > resumeAfter);
          const freshRejects = batch.rejects.filter((reject) => reject.lineNumber > resumeAfter);
          writing = Promise.all([
            copyStagedLines(connection, input.fileId, fresh),
            insertRejects(pool, input.fileId, freshRejects),
          ]).then(() => context.heartbeat({ lineNumber: batch.lastLineNumber } satisfies ParseHeartbeatDetails));
        }
        await writing;
      } finally {
        // A failed batch leaves `writing` rejected; it was awaited above or is moot now.
        writing.catch(() => {});
        await connection.close();
      }

      const { stagedRows, rejectedRows } = await heartbeatWhile(
        (async () => {
          await rejectInconsistentOrders(pool, input.fileId);
          const counts = await countParsedRows(pool, input.fileId);
          await recordParseCounts(pool, input.fileId, { totalRows: rowsRead, failedRows: counts.rejectedRows });
          return counts;
        })(),
        () => ({ lineNumber: lastLineNumber }) satisfies ParseHeartbeatDetails,
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
              // The same details as the last batch's, so a retry still skips the staged lines.
              onProgress: () => context.heartbeat({ lineNumber: lastLineNumber } satisfies ParseHeartbeatDetails),
            });
      log.info({ rowsRead, stagedRows, rejectedRows, rejectsReportKey }, 'parsed file');
      if (rowsRead > 0 && rejectedRows / rowsRead > pipeline.maxRejectRatio) {
        throw new RejectRatioExceededError(input.filename, rejectedRows, rowsRead, pipeline.maxRejectRatio);
      }
      return { rowsRead, rowsStaged: stagedRows, rowsRejected: rejectedRows, rejectsReportKey };
    } catch (error) {
      throw toActivityFailure(error);
    }
  };
}

function isParseHeartbeat(value: unknown): value is ParseHeartbeatDetails {
  return typeof value === 'object' && value !== null && typeof (value as ParseHeartbeatDetails).lineNumber === 'number';
}
