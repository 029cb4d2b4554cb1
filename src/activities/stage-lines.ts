import { Context } from '@temporalio/activity';
import { openCopyConnection } from '../db/copy-connection.ts';
import { copyStagedLines, insertRejects } from '../db/staging.ts';
import type { OrderLineBatch } from '../domain/csv-order-lines.ts';
import type { ParseHeartbeatDetails } from '../workflows/ingest-file-contract.ts';
import type { ActivityDeps } from './deps.ts';

export type StagedLines = { rowsRead: number; lastLineNumber: number };

/** How far into its bytes the read is, heartbeated beside the line so a client can show progress. */
export type ReadProgress = { bytesRead(): number; totalBytes: number; fileBytes?: number; rangeCount?: number };

export function readProgressDetails(progress: ReadProgress | undefined): Omit<ParseHeartbeatDetails, 'lineNumber'> {
  if (progress === undefined) return {};
  const { totalBytes, fileBytes, rangeCount } = progress;
  return {
    bytesRead: progress.bytesRead(),
    totalBytes,
    ...(fileBytes === undefined ? {} : { fileBytes }),
    ...(rangeCount === undefined ? {} : { rangeCount }),
  };
}

/**
 * Writes parsed batches into staging, a COPY per batch, with rejects recorded beside it. While
 * PostgreSQL takes one batch this process parses the next, so both cores work. After each written
 * batch the activity heartbeats the line reached; a retried attempt skips writing what an earlier
 * attempt already wrote up to `resumeAfter` (it still reads those lines, to count them).
 */
export async function stageLines(
  { pool, databaseUrl }: Pick<ActivityDeps, 'pool' | 'databaseUrl'>,
  fileId: string,
  batches: AsyncIterable<OrderLineBatch>,
  resumeAfter: number,
  progress?: ReadProgress,
): Promise<StagedLines> {
  const context = Context.current();
  const heartbeat = (lineNumber: number) =>
    context.heartbeat({ lineNumber, ...readProgressDetails(progress) } satisfies ParseHeartbeatDetails);
  let rowsRead = 0;
  let lastLineNumber = 0;
  const connection = await openCopyConnection(databaseUrl);
  let writing: Promise<void> = Promise.resolve();
  try {
    for await (const batch of batches) {
      rowsRead += batch.rowsRead;
      lastLineNumber = batch.lastLineNumber;
      await writing;
      if (batch.lastLineNumber <= resumeAfter) {
        // Re-reading what an earlier attempt wrote is still progress the server must hear of.
        heartbeat(resumeAfter);
        continue;
      }
      const fresh = batch.lines.filter((line) => line.lineNumber > resumeAfter);
      const freshRejects = batch.rejects.filter((reject) => reject.lineNumber > resumeAfter);
      writing = Promise.all([
        copyStagedLines(connection, fileId, fresh),
        insertRejects(pool, fileId, freshRejects),
      ]).then(() => heartbeat(batch.lastLineNumber));
    }
    await writing;
  } finally {
    // A failed batch leaves `writing` rejected; it was awaited above or is moot now.
    writing.catch(() => {});
    await connection.close();
  }
  return { rowsRead, lastLineNumber };
}

export function isParseHeartbeat(value: unknown): value is ParseHeartbeatDetails {
  return typeof value === 'object' && value !== null && typeof (value as ParseHeartbeatDetails).lineNumber === 'number';
}
