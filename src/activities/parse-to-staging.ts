import { Context } from '@temporalio/activity';
import { markProcessing } from '../db/ingestion-files.ts';
import { WHOLE_FILE_PART } from '../db/staging-copy.ts';
import { claimStagingPart } from '../db/staging-writers.ts';
import { toActivityFailure } from './failures.ts';
import type { ParseDeps } from './deps.ts';
import { finishStagedParse, type ParseResult } from './finish-parse.ts';
import { previousHeartbeat } from './heartbeat.ts';
import { isParseHeartbeat, readProgressDetails, stageLines } from './stage-lines.ts';

export type { ParseResult };
export type ParseInput = { fileId: string; objectKey: string; filename: string };

/**
 * Rows per COPY. A file's last COPY starts only when its parse is done, so smaller batches shorten
 * a small file's wait; larger ones cost fewer round trips, which a big file's parse feels. This
 * size sits between the two that were measured (BENCHMARKS.md, rows per COPY), and a 10,000-line
 * file still overlaps half its COPY with its parse.
 */
export const BATCH_SIZE = 5_000;

/** What every parse job of this worker reads and writes with. */
export function readSettings({ pipeline, databaseUrl }: Pick<ParseDeps, 'pipeline' | 'databaseUrl'>) {
  return { sourceTimeZone: pipeline.sourceTimeZone, emailHashKey: pipeline.emailHashKey, databaseUrl, batchSize: BATCH_SIZE };
}

/**
 * Stage 2, parse, of a whole file in one activity: a parse thread streams the object (inflated when
 * it is gzip) through the CSV reader into staging, resuming after the line the previous attempt
 * last heartbeated (stage-lines.ts); then the activity finishes the parse (finish-parse.ts).
 */
export function createParseToStaging(deps: ParseDeps) {
  const { pool, store, logger, parseThreads } = deps;

  return async function parseToStaging(input: ParseInput): Promise<ParseResult> {
    const log = logger.child({ fileId: input.fileId, stage: 'parse' });
    try {
      await markProcessing(pool, input.fileId);
      const resumeAfter = previousHeartbeat(isParseHeartbeat)?.lineNumber ?? 0;
      if (resumeAfter > 0) log.info({ resumeAfter }, 'resuming parse after the last written line');

      // What a dead attempt wrote after its last heartbeat is written again below, by this attempt alone.
      const part = { fileId: input.fileId, firstLine: WHOLE_FILE_PART, resumeAfter, endBefore: null };
      const stagingWriter = await claimStagingPart(pool, part);
      const totalBytes = await store.size(input.objectKey);
      const source = { signedUrl: await store.signedReadUrl(input.objectKey), objectKey: input.objectKey };
      const job = { fileId: input.fileId, filename: input.filename, source, resumeAfter, stagingWriter, ...readSettings(deps) };
      const lines = parseThreads.parse(job, log, Context.current().cancellationSignal);
      const progress = { totalBytes };
      const { rowsRead, lastLineNumber, bytesRead } = await stageLines(deps, input.fileId, lines, resumeAfter, progress);
      const finalHeartbeat = { lineNumber: lastLineNumber, ...readProgressDetails(progress, bytesRead) };
      return await finishStagedParse(deps, log, { ...input, rowsRead }, finalHeartbeat);
    } catch (error) {
      throw toActivityFailure(error);
    }
  };
}
