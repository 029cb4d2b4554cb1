import type { DatabasePool } from 'slonik';
import { z } from 'zod';
import type { ParseRange } from '../domain/split-points.ts';
import { sql } from './sql.ts';

/** A file's parts as the hash stage found them, replacing any an earlier attempt recorded. */
export async function recordParseRanges(pool: DatabasePool, fileId: string, ranges: readonly ParseRange[]): Promise<void> {
  await pool.transaction(async (tx) => {
    await tx.query(sql.typeAlias('void')`delete from ingestion_parse_ranges where ingestion_file_id = ${fileId}`);
    await tx.query(sql.typeAlias('void')`
      insert into ingestion_parse_ranges (ingestion_file_id, range_index, start_offset, end_offset, first_line_number)
      select ${fileId}::uuid, t.*
      from ${sql.unnest(
        ranges.map((range) => [range.index, range.start, range.end, range.firstLine]),
        ['int4', 'int8', 'int8', 'int4'],
      )} as t`);
  });
}

/**
 * One part, and the first line of the next (null for the last): the lines that are its own; and
 * how many parts the file has, which its heartbeats tell a client.
 */
export type StoredParseRange = ParseRange & { nextFirstLine: number | null; rangeCount: number };

const rangeRow = z.object({
  index: z.coerce.number(),
  start: z.coerce.number(),
  end: z.coerce.number(),
  firstLine: z.coerce.number(),
  nextFirstLine: z.coerce.number().nullable(),
  rangeCount: z.coerce.number(),
});

export async function findParseRange(pool: DatabasePool, fileId: string, index: number): Promise<StoredParseRange | null> {
  return pool.maybeOne(sql.type(rangeRow)`
    select range_index as index, start_offset as start, end_offset as "end", first_line_number as "firstLine",
           lead(first_line_number) over (order by range_index) as "nextFirstLine",
           count(*) over () as "rangeCount"
    from ingestion_parse_ranges
    where ingestion_file_id = ${fileId}
    order by range_index
    offset ${index} limit 1`);
}
