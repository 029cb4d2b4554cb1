import { randomUUID } from 'node:crypto';
import type { DatabasePool } from 'slonik';
import { WHOLE_FILE_PART, type StagingWriter } from '../../src/db/staging-copy.ts';
import { claimStagingPart } from '../../src/db/staging-writers.ts';

/** The whole file's part of staging claimed as a first parse attempt claims it: what a test's own COPY writes as. */
export async function claimedWholeFile(pool: DatabasePool, fileId: string): Promise<StagingWriter> {
  const writer = { fileId, firstLine: WHOLE_FILE_PART, writer: randomUUID() };
  await claimStagingPart(pool, { ...writer, resumeAfter: 0, endBefore: null });
  return writer;
}
