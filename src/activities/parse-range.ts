import { Context } from '@temporalio/activity';
import { readHeaderRecord } from '../domain/csv-order-lines.ts';
import { markProcessing } from '../db/ingestion-files.ts';
import { findParseRange, type StoredParseRange } from '../db/parse-ranges.ts';
import { claimStagingPart } from '../db/staging-writers.ts';
import { InvalidFileError } from '../errors.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import type { ParseDeps } from './deps.ts';
import { toActivityFailure } from './failures.ts';
import { previousHeartbeat } from './heartbeat.ts';
import { readSettings } from './parse-to-staging.ts';
import { isParseHeartbeat, stageLines } from './stage-lines.ts';

export type ParseRangeInput = { fileId: string; objectKey: string; filename: string; rangeIndex: number };
export type ParseRangeResult = { rowsRead: number };

/**
 * Stage 2, parse, of one part of a file (ingestion_parse_ranges, found by the hash stage): reads
 * only that part's bytes and stages its lines, resuming after the line this part's previous
 * attempt last heartbeated. Parts of one file run side by side on any workers; finishParse runs
 * after the last of them.
 */
export function createParseRange(deps: ParseDeps) {
  const { pool, store, logger, parseThreads } = deps;

  return async function parseRange(input: ParseRangeInput): Promise<ParseRangeResult> {
    const log = logger.child({ fileId: input.fileId, stage: 'parse', rangeIndex: input.rangeIndex });
    try {
      await markProcessing(pool, input.fileId);
      const range = await findParseRange(pool, input.fileId, input.rangeIndex);
      // Recorded by the hash stage before any part is scheduled: missing means a bug, not bad input.
      if (range === null) throw new Error(`file ${input.fileId} has no parse range ${input.rangeIndex}`);
      const resumeAfter = Math.max(previousHeartbeat(isParseHeartbeat)?.lineNumber ?? 0, range.firstLine - 1);
      if (resumeAfter >= range.firstLine) log.info({ resumeAfter }, 'resuming parse after the last written line');

      // Lines of this part past `resumeAfter` may have been written by an attempt that died before
      // it heartbeated; the other parts' lines are theirs to keep.
      const part = { fileId: input.fileId, firstLine: range.firstLine, resumeAfter, endBefore: range.nextFirstLine };
      const stagingWriter = await claimStagingPart(pool, part);
      const fileBytes = await store.size(input.objectKey);
      const job = {
        fileId: input.fileId,
        filename: input.filename,
        source: { signedUrl: await store.signedReadUrl(input.objectKey), objectKey: input.objectKey, byteRange: byteRange(range) },
        resumeAfter,
        stagingWriter,
        ...readSettings(deps),
        ...(range.start === 0 ? {} : { range: { header: await readHeader(store, input, range), firstLine: range.firstLine } }),
      };
      const lines = parseThreads.parse(job, log, Context.current().cancellationSignal);
      const progress = { totalBytes: range.end - range.start, fileBytes, rangeCount: range.rangeCount };
      const { rowsRead } = await stageLines(deps, input.fileId, lines, resumeAfter, progress);
      log.info({ rowsRead }, 'parsed part of file');
      return { rowsRead };
    } catch (error) {
      throw toActivityFailure(error);
    }
  };
}

function byteRange(range: StoredParseRange): { offset: number; length: number } {
  return { offset: range.start, length: range.end - range.start };
}

/** The header lies before the part's first byte: only those bytes are read. */
async function readHeader(store: ObjectStore, input: ParseRangeInput, range: StoredParseRange) {
  const header = await readHeaderRecord(await store.read(input.objectKey, { offset: 0, length: range.start }), input.filename);
  // Split points come only after a record with text, which the parser reads as the header.
  if (header === null) throw new InvalidFileError('the file is empty: it has no header line', { filename: input.filename });
  return header;
}
