import type { CommonQueryMethods } from 'slonik';
import { z } from 'zod';
import { sql } from './sql.ts';

export type LoadProgress = { chunksDone: number; rowsLoaded: number };

const progressRow = z.object({ chunksDone: z.number(), rowsLoaded: z.number() });

/**
 * How far a file's load is, as another session sees it: the chunks that have committed and their
 * rows (a chunk in flight is invisible until its transaction commits). Reads only the chunk
 * bookkeeping rows, never the base tables, so asking costs nothing to the load itself.
 */
export async function readLoadProgress(db: CommonQueryMethods, fileId: string): Promise<LoadProgress> {
  return db.one(sql.type(progressRow)`
    select count(*) as "chunksDone", coalesce(sum(rows_loaded), 0)::int8 as "rowsLoaded"
    from ingestion_load_chunks
    where ingestion_file_id = ${fileId} and rows_loaded is not null`);
}
