import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { claimFile } from '../db/ingestion-files.ts';
import { InvalidFileError } from '../errors.ts';
import type { IngestFileInput } from '../workflows/ingest-file-contract.ts';
import type { ActivityDeps } from './deps.ts';
import { toActivityFailure } from './failures.ts';

export type HashAndClaimResult = { fileId: string; duplicateOf: string | null };

/**
 * Stage 1, hash-dedupe: hashes the stored object (not what the uploader claims) and claims its
 * content hash. The same content seen before, under any name, is reported as a duplicate.
 */
export function createHashAndClaim({ pool, store, logger }: ActivityDeps) {
  return async function hashAndClaim(input: IngestFileInput): Promise<HashAndClaimResult> {
    try {
      const actualHash = await hashObject(await store.read(input.objectKey));
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
      });
      logger.info({ fileId: claim.fileId, duplicateOf: claim.duplicateOf, objectKey: input.objectKey }, 'claimed file');
      return claim;
    } catch (error) {
      throw toActivityFailure(error);
    }
  };
}

/**
 * Heartbeats as the bytes flow: the SDK throttles heartbeats to a fraction of the timeout, so
 * calling it per chunk costs nothing and keeps a slow download from looking like a dead worker.
 */
async function hashObject(stream: AsyncIterable<Buffer>): Promise<string> {
  const hash = createHash('sha256');
  const context = Context.current();
  for await (const chunk of stream) {
    hash.update(chunk);
    context.heartbeat();
  }
  return hash.digest('hex');
}
