import type { DatabasePool } from 'slonik';
import { WHOLE_FILE_PART, type StagingWriter } from '../../src/db/staging-copy.ts';
import { claimStagingPart } from '../../src/db/staging-writers.ts';

/** The whole file's part of staging claimed as a first parse attempt claims it: what a test's own COPY writes as. */
export function claimedWholeFile(pool: DatabasePool, fileId: string): Promise<StagingWriter> {
  return claimStagingPart(pool, { fileId, firstLine: WHOLE_FILE_PART, resumeAfter: 0, endBefore: null });
}
