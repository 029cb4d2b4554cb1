import type { DatabasePool } from 'slonik';
import { z } from 'zod';
import { clearStagedRows, clearWorkRowsForRetry, deleteFileAndWorkRows } from './file-work-rows.ts';
import { sql } from './sql.ts';

export type FileClaim = {
  fileId: string;
  duplicateOf: string | null;
  /** The file was completed by the same execution chain that claims it now (a reset re-run). */
  completedByClaimant?: boolean;
};

const claimRow = z.object({ id: z.string(), status: z.string(), claimedBy: z.string().nullable() });

/**
 * Claims a content hash for ingestion. The unique content_hash makes this safe under any race:
 * exactly one row per content exists besides reverted ones (a reverted file's content loads anew,
 * as a new file). Content that completed before is a duplicate; content whose
 * earlier attempt failed is reset and claimed again; a pending or processing row is the same
 * ingestion resuming (one workflow id per content hash means no second one can be running).
 *
 * The workflow id is the same for every submission of the content, so it is the claimant (the
 * execution chain, kept by a reset) that tells a re-run of the completing workflow from a new
 * submission: the former is not a duplicate of itself.
 */
export async function claimFile(
  pool: DatabasePool,
  file: { filename: string; filePath: string; contentHash: string; claimedBy: string | null },
): Promise<FileClaim> {
  return pool.transaction(async (tx) => {
    const inserted = await tx.maybeOne(sql.type(claimRow)`
      insert into ingestion_files (filename, file_path, content_hash, status, claimed_by)
      values (${file.filename}, ${file.filePath}, ${file.contentHash}, 'pending', ${file.claimedBy})
      on conflict (content_hash) where status <> 'reverted' do nothing
      returning id, status, claimed_by as "claimedBy"`);
    if (inserted) return { fileId: inserted.id, duplicateOf: null };

    const existing = await tx.one(sql.type(claimRow)`
      select id, status, claimed_by as "claimedBy" from ingestion_files
      where content_hash = ${file.contentHash} and status <> 'reverted' for update`);
    if (existing.status === 'completed') {
      if (file.claimedBy !== null && existing.claimedBy === file.claimedBy) {
        return { fileId: existing.id, duplicateOf: null, completedByClaimant: true };
      }
      return { fileId: existing.id, duplicateOf: existing.id };
    }
    // Whoever takes the file on now is the chain that may finish it.
    await tx.query(sql.typeAlias('void')`
      update ingestion_files set claimed_by = ${file.claimedBy} where id = ${existing.id}`);
    if (existing.status === 'failed') {
      await clearWorkRowsForRetry(tx, existing.id);
      await tx.query(sql.typeAlias('void')`
        update ingestion_files
        set status = 'pending', filename = ${file.filename}, file_path = ${file.filePath},
            total_rows = null, processed_rows = null, failed_rows = null, error_message = null,
            started_at = null, completed_at = null, loaded_at = null, load_started_at = null, load_seq = null, load_rebuilds_indexes = null,
            updated_at = now()
        where id = ${existing.id}`);
    }
    return { fileId: existing.id, duplicateOf: null };
  });
}

export async function markProcessing(pool: DatabasePool, fileId: string): Promise<void> {
  await pool.query(sql.typeAlias('void')`
    update ingestion_files
    set status = 'processing', started_at = coalesce(started_at, now()), updated_at = now()
    where id = ${fileId} and status in ('pending', 'processing')`);
}

export async function recordParseCounts(
  pool: DatabasePool,
  fileId: string,
  counts: { totalRows: number; failedRows: number },
): Promise<void> {
  await pool.query(sql.typeAlias('void')`
    update ingestion_files
    set total_rows = ${counts.totalRows}, failed_rows = ${counts.failedRows}, updated_at = now()
    where id = ${fileId}`);
}

export async function markCompleted(pool: DatabasePool, fileId: string): Promise<void> {
  await pool.query(sql.typeAlias('void')`
    update ingestion_files
    set status = 'completed', error_message = null, completed_at = coalesce(completed_at, now()), updated_at = now()
    where id = ${fileId}`);
}

/**
 * A failed file keeps its rejects for inspection but none of its rows: staging is cleared, and
 * nothing reached the base tables because the load stage never ran or rolled back as a whole.
 */
export async function markFailed(pool: DatabasePool, fileId: string, errorMessage: string): Promise<void> {
  await pool.transaction(async (tx) => {
    await clearStagedRows(tx, fileId);
    await tx.query(sql.typeAlias('void')`
      update ingestion_files
      set status = 'failed', error_message = ${errorMessage}, completed_at = now(), updated_at = now()
      where id = ${fileId} and status <> 'completed'`);
  });
}

const fileState = z.object({ loaded: z.boolean() });

/**
 * Removes every trace of a cancelled ingestion: its ingestion_files row and all its work rows, as
 * if it had never started. A file whose load already committed is left alone, as is one whose load
 * has begun to commit its chunks: undoing either would need the orders they replaced, which are
 * gone, so the workflow finishes the file instead.
 * The row lock orders this after a load transaction still in flight for the same file.
 * Returns false when the file was left alone; a file already gone counts as discarded.
 */
export async function discardFile(pool: DatabasePool, fileId: string): Promise<boolean> {
  return pool.transaction(async (tx) => {
    const file = await tx.maybeOne(sql.type(fileState)`
      select loaded_at is not null or load_started_at is not null or status = 'completed' as loaded
      from ingestion_files where id = ${fileId} for update`);
    if (!file) return true;
    if (file.loaded) return false;
    await deleteFileAndWorkRows(tx, fileId);
    return true;
  });
}

const fileRow = z.object({
  id: z.string(),
  filename: z.string(),
  filePath: z.string(),
  contentHash: z.string(),
  status: z.enum(['pending', 'processing', 'completed', 'failed', 'reverted']),
  totalRows: z.number().nullable(),
  processedRows: z.number().nullable(),
  failedRows: z.number().nullable(),
  errorMessage: z.string().nullable(),
  startedAt: z.string().nullable(),
  completedAt: z.string().nullable(),
  insertedAt: z.string(),
});
export type IngestionFile = z.infer<typeof fileRow>;

const fileColumns = sql.fragment`
  id, filename, file_path as "filePath", content_hash as "contentHash", status,
  total_rows as "totalRows", processed_rows as "processedRows", failed_rows as "failedRows",
  error_message as "errorMessage", started_at as "startedAt", completed_at as "completedAt",
  inserted_at as "insertedAt"`;

export async function listRecentFiles(pool: DatabasePool, limit: number): Promise<readonly IngestionFile[]> {
  return pool.any(sql.type(fileRow)`
    select ${fileColumns} from ingestion_files order by inserted_at desc, id desc limit ${limit}`);
}

export async function findFile(pool: DatabasePool, idOrHash: string): Promise<IngestionFile | null> {
  const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrHash);
  return pool.maybeOne(sql.type(fileRow)`
    select ${fileColumns} from ingestion_files
    where ${isUuid ? sql.fragment`id = ${idOrHash}::uuid` : sql.fragment`content_hash = ${idOrHash}`}
    -- A hash names its live file first; reverted files of the same content after it, newest first.
    order by status = 'reverted', inserted_at desc
    limit 1`);
}
