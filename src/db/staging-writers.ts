import { randomUUID } from 'node:crypto';
import type { DatabasePool } from 'slonik';
import { z } from 'zod';
import { sql } from './sql.ts';
import type { StagingWriter } from './staging-copy.ts';

export type StagingClaim = Omit<StagingWriter, 'writer'> & {
  /** Lines up to here stay: an earlier attempt wrote them and heartbeated past them. */
  resumeAfter: number;
  /** The next part's first line: the part's own lines end before it (null for the last part or a whole file). */
  endBefore: number | null;
};

const claimRow = z.object({ earlierWriter: z.boolean() });

/**
 * Draws a new writer id, makes it the part's only writer and clears what an earlier writer of the
 * part left past the resume point, in one transaction; returns the new writer. Taking the row
 * waits for a batch an earlier attempt has in flight (it holds the row for share while it copies),
 * and afterwards none of its batches can commit. A part that never had a writer has no staged line
 * to clear, so a first attempt does not read staging at all.
 */
export async function claimStagingPart(pool: DatabasePool, claim: StagingClaim): Promise<StagingWriter> {
  const writer = { fileId: claim.fileId, firstLine: claim.firstLine, writer: randomUUID() };
  await pool.transaction(async (tx) => {
    const { earlierWriter } = await tx.one(sql.type(claimRow)`
      insert into staging_part_writers (ingestion_file_id, first_line, writer)
      values (${writer.fileId}, ${writer.firstLine}, ${writer.writer})
      on conflict (ingestion_file_id, first_line) do update set writer = excluded.writer
      returning not (xmax = 0) as "earlierWriter"`);
    if (!earlierWriter) return;
    await tx.query(sql.typeAlias('void')`
      delete from staging_order_lines
      where ingestion_file_id = ${claim.fileId} and line_number > ${claim.resumeAfter}
        and (${claim.endBefore}::int4 is null or line_number < ${claim.endBefore}::int4)`);
  });
  return writer;
}
