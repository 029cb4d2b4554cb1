import type { DatabasePool } from 'slonik';
import { z } from 'zod';
import { sql } from './sql.ts';

const rejectRow = z.object({ lineNumber: z.number(), column: z.string(), reason: z.string() });
export type RejectRow = z.infer<typeof rejectRow>;

/** The recorded rejects of a file, by line then column: what `pipeforge rejects` prints. */
export async function listRejects(pool: DatabasePool, fileId: string, limit: number): Promise<readonly RejectRow[]> {
  return pool.any(sql.type(rejectRow)`
    select line_number as "lineNumber", column_name as column, reason
    from ingestion_rejects
    where ingestion_file_id = ${fileId}
    order by line_number, column_name
    limit ${limit}`);
}

const rejectCountRow = z.object({ lines: z.number(), problems: z.number() });

/** Rejected lines (what failed_rows counts) and problems (one per broken column of a line). */
export async function countRejects(pool: DatabasePool, fileId: string): Promise<z.infer<typeof rejectCountRow>> {
  return pool.one(sql.type(rejectCountRow)`
    select count(distinct line_number) as lines, count(*) as problems
    from ingestion_rejects where ingestion_file_id = ${fileId}`);
}

const rejectedLineRow = z.object({ lineNumber: z.number(), reasons: z.string() });
export type RejectedLine = z.infer<typeof rejectedLineRow>;

/** Lines fetched per query while streaming: the report's memory does not grow with the rejects. */
const PAGE_SIZE = 2_000;

/**
 * Every rejected line of a file in line order, each with its reasons joined, fetched a page at a
 * time by keyset so that a file of a million rejects streams like one of ten.
 */
export async function* streamRejectedLines(pool: DatabasePool, fileId: string): AsyncGenerator<RejectedLine> {
  let after = 0;
  for (;;) {
    const page = await pool.any(sql.type(rejectedLineRow)`
      select line_number as "lineNumber", string_agg(reason, '; ' order by column_name) as reasons
      from ingestion_rejects
      where ingestion_file_id = ${fileId} and line_number > ${after}
      group by line_number
      order by line_number
      limit ${PAGE_SIZE}`);
    yield* page;
    const last = page.at(-1);
    if (last === undefined || page.length < PAGE_SIZE) return;
    after = last.lineNumber;
  }
}
