import { Context } from '@temporalio/activity';
import { insertRejects } from '../db/staging.ts';
import type { StagedReport } from '../parse-threads/protocol.ts';
import type { ParseHeartbeatDetails } from '../workflows/ingest-file-contract.ts';
import type { ActivityDeps } from './deps.ts';

export type StagedLines = { rowsRead: number; lastLineNumber: number; bytesRead: number };

/** The bytes the read covers, heartbeated beside the line and the bytes read so a client can show progress. */
export type ReadProgress = { totalBytes: number; fileBytes?: number; rangeCount?: number };

export function readProgressDetails(progress: ReadProgress | undefined, bytesRead: number): Omit<ParseHeartbeatDetails, 'lineNumber'> {
  if (progress === undefined) return {};
  const { totalBytes, fileBytes, rangeCount } = progress;
  return {
    bytesRead,
    totalBytes,
    ...(fileBytes === undefined ? {} : { fileBytes }),
    ...(rangeCount === undefined ? {} : { rangeCount }),
  };
}

/** While no batch comes (the parse waits for a free thread, say), the last heartbeat is repeated this often. */
const QUIET_HEARTBEAT_MS = 5_000;

/**
 * Records what a parse thread staged, batch by batch: the thread has COPYed each batch's lines
 * already (thread-entry.ts); the activity records its rejects, then heartbeats the line reached,
 * so a heartbeat only ever names lines and rejects that are both written. A batch an earlier
 * attempt already wrote (up to `resumeAfter`) is only counted.
 */
export async function stageLines(
  { pool }: Pick<ActivityDeps, 'pool'>,
  fileId: string,
  batches: AsyncIterable<StagedReport>,
  resumeAfter: number,
  progress?: ReadProgress,
): Promise<StagedLines> {
  const context = Context.current();
  let lineReached = resumeAfter;
  let bytesRead = 0;
  let lastHeartbeatAt = Date.now();
  const heartbeat = (lineNumber: number) => {
    lineReached = lineNumber;
    lastHeartbeatAt = Date.now();
    context.heartbeat({ lineNumber, ...readProgressDetails(progress, bytesRead) } satisfies ParseHeartbeatDetails);
  };
  // Only when quiet: the SDK sends the first heartbeat at once and holds later ones back a while,
  // so an early one of its own would delay the first that reports written lines.
  const quiet = setInterval(() => {
    if (Date.now() - lastHeartbeatAt >= QUIET_HEARTBEAT_MS) heartbeat(lineReached);
  }, QUIET_HEARTBEAT_MS / 5);
  let rowsRead = 0;
  let lastLineNumber = 0;
  try {
    for await (const batch of batches) {
      rowsRead += batch.rowsRead;
      lastLineNumber = batch.lastLineNumber;
      bytesRead = batch.bytesRead;
      if (batch.alreadyWritten) {
        // Re-reading what an earlier attempt wrote is still progress the server must hear of.
        heartbeat(resumeAfter);
        continue;
      }
      await insertRejects(pool, fileId, batch.rejects);
      heartbeat(batch.lastLineNumber);
    }
  } finally {
    clearInterval(quiet);
  }
  return { rowsRead, lastLineNumber, bytesRead };
}

export function isParseHeartbeat(value: unknown): value is ParseHeartbeatDetails {
  return typeof value === 'object' && value !== null && typeof (value as ParseHeartbeatDetails).lineNumber === 'number';
}
