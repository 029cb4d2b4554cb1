import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { readRecordedOutcome, type RecordedOutcome } from '../db/file-outcome.ts';
import { claimFile } from '../db/ingestion-files.ts';
import { recordParseRanges } from '../db/parse-ranges.ts';
import { createStoredObjectSplitPointFinder } from '../domain/gzip-magic.ts';
import { parseRangesOf, type ParseRange } from '../domain/split-points.ts';
import { InvalidFileError } from '../errors.ts';
import type { HashHeartbeatDetails, IngestFileInput } from '../workflows/ingest-file-contract.ts';
import type { ActivityDeps } from './deps.ts';
import { toActivityFailure } from './failures.ts';

export type HashAndClaimResult = {
  fileId: string;
  duplicateOf: string | null;
  /**
   * How many parts the file can be parsed in (recorded in ingestion_parse_ranges); 1 for a small
   * file. Absent from the results in histories recorded before files were parsed in parts.
   */
  parseRanges?: number;
  /**
   * Set when the file was completed by this same execution chain (the workflow was reset from the
   * Web UI after it completed): what that run loaded, to be reported again. Nothing is redone.
   */
  completedBefore?: RecordedOutcome;
};

export type HashAndClaimInput = IngestFileInput & {
  /** The workflow's original run id, which a reset keeps; absent in attempts scheduled before it was passed. */
  claimedBy?: string;
};

/**
 * Stage 1, hash-dedupe: hashes the stored object (not what the uploader claims) and claims its
 * content hash. The same content seen before, under any name, is reported as a duplicate. The
 * same read finds where the file can be cut into parts for the parse (split-points.ts). The same
 * content completed by the same execution chain is that workflow re-run, not a duplicate.
 */
export function createHashAndClaim({ pool, store, pipeline, logger }: ActivityDeps) {
  return async function hashAndClaim(input: HashAndClaimInput): Promise<HashAndClaimResult> {
    try {
      const [source, objectBytes] = await Promise.all([store.read(input.objectKey), store.size(input.objectKey)]);
      const { hash: actualHash, ranges } = await hashObject(source, objectBytes, pipeline.parseRangeBytes);
      if (actualHash !== input.contentHash) {
        throw new InvalidFileError(
          `the stored object ${input.objectKey} does not hash to ${input.contentHash} (it was replaced after ` +
            'upload); ingest the file again',
          { filename: input.filename },
        );
      }
      const claim = await claimFile(pool, {
        filename: input.filename,
        filePath: `${store.bucket}/${input.objectKey}`,
        contentHash: actualHash,
        claimedBy: input.claimedBy ?? null,
      });
      if (claim.completedByClaimant) {
        const completedBefore = await readRecordedOutcome(pool, claim.fileId);
        logger.info({ fileId: claim.fileId, objectKey: input.objectKey }, 'file completed by this workflow before: reporting its outcome');
        return { fileId: claim.fileId, duplicateOf: null, parseRanges: ranges.length, completedBefore };
      }
      if (claim.duplicateOf === null) await recordParseRanges(pool, claim.fileId, ranges);
      logger.info(
        { fileId: claim.fileId, duplicateOf: claim.duplicateOf, objectKey: input.objectKey, parseRanges: ranges.length },
        'claimed file',
      );
      return { fileId: claim.fileId, duplicateOf: claim.duplicateOf, parseRanges: ranges.length };
    } catch (error) {
      throw toActivityFailure(error);
    }
  };
}

/**
 * Heartbeats as the bytes flow, with the bytes hashed of the object's size for a client to show:
 * the SDK throttles heartbeats, so calling it per chunk costs nothing and keeps a slow download
 * from looking like a dead worker.
 */
async function hashObject(
  stream: AsyncIterable<Buffer>,
  objectBytes: number,
  rangeBytes: number,
): Promise<{ hash: string; ranges: ParseRange[] }> {
  const hash = createHash('sha256');
  // A gzip object gets no split points: it is parsed in one part.
  const splitPoints = createStoredObjectSplitPointFinder(rangeBytes);
  const context = Context.current();
  let totalBytes = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    splitPoints.push(chunk);
    totalBytes += chunk.length;
    context.heartbeat({ bytesRead: totalBytes, totalBytes: objectBytes } satisfies HashHeartbeatDetails);
  }
  return { hash: hash.digest('hex'), ranges: parseRangesOf(splitPoints.finish(), totalBytes) };
}
