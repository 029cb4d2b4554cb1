import type { CommonQueryMethods, DatabaseTransactionConnection } from 'slonik';
import { z } from 'zod';
import { sql } from './sql.ts';
import { holdStagingOrdersLock } from './staging-orders.ts';

/**
 * The rows a file's ingestion keeps beside its ingestion_files row while it is worked on, and when
 * each kind goes. Every clearing of them is here, so that what a discard, a retry, a finished load
 * or a failure leaves behind can be read in one place (the parse itself still trims and moves the
 * staged lines it writes, in staging.ts):
 *
 * - staging_order_lines: written by the parse; gone when the load finishes, the file fails, a
 *   failed file is claimed again, or the file is discarded. With them go the file's rows of
 *   staging_part_writers (staging-writers.ts), so that a parse attempt still running then writes
 *   nothing more; and every file with staged lines has such a row.
 * - staging_orders: written by the load's first step from the staged lines; gone with them.
 * - ingestion_rejects: written by the parse; gone when a failed file is claimed again or discarded.
 * - ingestion_affected_dates: written by the load's first and last steps; gone as the rejects.
 * - ingestion_load_chunks, ingestion_touched_customers, ingestion_chunk_latest_prices: written by
 *   each load chunk; gone when the load finishes, a failed file is claimed again, or discarded.
 *
 * Rejects outlive the file's end for the person who fixes the export; affected dates outlive the
 * load so that its aggregate stage, and any retry of it, reads the same days.
 *
 * Every table but the two staging tables references ingestion_files with `on delete cascade`, so
 * deleting the file row removes them; staging lost its foreign key for COPY speed (sql/003), and
 * staging_orders never had one, so they are always deleted here explicitly.
 */
const LOAD_BOOKKEEPING = ['ingestion_load_chunks', 'ingestion_touched_customers', 'ingestion_chunk_latest_prices'] as const;
const KEPT_AFTER_LOAD = ['ingestion_rejects', 'ingestion_affected_dates'] as const;

const STAGING = ['staging_order_lines', 'staging_orders'] as const;

type StagingTable = (typeof STAGING)[number];
type WorkTable = StagingTable | (typeof LOAD_BOOKKEEPING)[number] | (typeof KEPT_AFTER_LOAD)[number];

const isStaging = (table: WorkTable): table is StagingTable => (STAGING as readonly string[]).includes(table);

async function deleteFileRows(tx: DatabaseTransactionConnection, fileId: string, tables: readonly WorkTable[]): Promise<void> {
  if (tables.includes('staging_orders')) await holdStagingOrdersLock(tx, fileId);
  // Before the lines: deleting a writer row waits for a batch its parse has in flight, whose lines
  // the statements below then see and remove; any later batch of it finds no row and writes nothing.
  if (tables.includes('staging_order_lines')) {
    await tx.query(sql.typeAlias('void')`delete from staging_part_writers where ingestion_file_id = ${fileId}`);
  }
  for (const table of tables) {
    if (isStaging(table) && (await truncateIfOnlyFile(tx, table, fileId))) continue;
    await tx.query(sql.typeAlias('void')`delete from ${sql.identifier([table])} where ingestion_file_id = ${fileId}`);
  }
}

const othersRow = z.object({ others: z.boolean() });

/**
 * When a staging table holds no other file's rows, it is emptied with TRUNCATE: a big file's rows
 * then leave no dead rows for vacuum to clear, and the statement does not read them. Only if the
 * lock it needs is free at once: a parse or load of another file holding it is never waited for
 * (nor made to wait long, as this runs last in its transaction); the table is then deleted from as
 * usual.
 */
async function truncateIfOnlyFile(tx: DatabaseTransactionConnection, table: StagingTable, fileId: string): Promise<boolean> {
  const name = sql.identifier([table]);
  try {
    return await tx.transaction(async (savepoint) => {
      await savepoint.query(sql.typeAlias('void')`lock table ${name} in access exclusive mode nowait`);
      // Two probes of a file id index's ends rather than a scan of this file's rows. Staged lines
      // have no index: every file that has some has a writer row (staging-writers.ts); one whose
      // row appears after the probe copies its first line only after this commits, as a COPY
      // waits for the lock taken above.
      const byFile = sql.identifier([table === 'staging_order_lines' ? 'staging_part_writers' : table]);
      const { others } = await savepoint.one(sql.type(othersRow)`
        select exists (select 1 from ${byFile} where ingestion_file_id < ${fileId})
            or exists (select 1 from ${byFile} where ingestion_file_id > ${fileId}) as others`);
      if (others) return false;
      await savepoint.query(sql.typeAlias('void')`truncate ${name}`);
      return true;
    });
  } catch (error) {
    if (sqlStateOf(error) === LOCK_NOT_AVAILABLE) return false;
    throw error;
  }
}

const LOCK_NOT_AVAILABLE = '55P03';

/** The SQLSTATE of a database error, wherever slonik wrapped it. */
function sqlStateOf(error: unknown): string | undefined {
  for (let current: unknown = error; typeof current === 'object' && current !== null; current = (current as { cause?: unknown }).cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/** A failed file claimed again starts from nothing; a load that gave up part-way is applied again (upserts). */
export async function clearWorkRowsForRetry(tx: DatabaseTransactionConnection, fileId: string): Promise<void> {
  await deleteFileRows(tx, fileId, [...STAGING, ...KEPT_AFTER_LOAD, ...LOAD_BOOKKEEPING]);
}

/** Once the load has finished: what it worked from goes; rejects and affected dates stay. */
export async function clearLoadWorkRows(tx: DatabaseTransactionConnection, fileId: string): Promise<void> {
  await deleteFileRows(tx, fileId, [...STAGING, ...LOAD_BOOKKEEPING]);
}

/** A failed file keeps its rejects for inspection but none of its staged lines. */
export async function clearStagedRows(tx: DatabaseTransactionConnection, fileId: string): Promise<void> {
  await deleteFileRows(tx, fileId, STAGING);
}

/** The file row and everything of its work: the cascades take all but staging. */
export async function deleteFileAndWorkRows(tx: DatabaseTransactionConnection, fileId: string): Promise<void> {
  await deleteFileRows(tx, fileId, STAGING);
  await tx.query(sql.typeAlias('void')`delete from ingestion_files where id = ${fileId}`);
}

const claimedRow = z.object({ chunk: z.number() });

/**
 * Records a load chunk as begun; false when it was recorded before. Run first in the chunk's
 * transaction, so that a second attempt running at the same time waits here and then skips it.
 */
export async function claimLoadChunk(tx: DatabaseTransactionConnection, fileId: string, chunk: number): Promise<boolean> {
  const claimed = await tx.maybeOne(sql.type(claimedRow)`
    insert into ingestion_load_chunks (ingestion_file_id, chunk) values (${fileId}, ${chunk})
    on conflict do nothing
    returning chunk`);
  return claimed !== null;
}

/** The business dates the chunks recorded become the file's, beside those the load's first step recorded. */
export async function recordChunkAffectedDates(tx: DatabaseTransactionConnection, fileId: string): Promise<void> {
  await tx.query(sql.typeAlias('void')`
    insert into ingestion_affected_dates (ingestion_file_id, business_date)
    select distinct ${fileId}::uuid, unnest(affected_dates) from ingestion_load_chunks
    where ingestion_file_id = ${fileId}
    on conflict do nothing`);
}

const dateRow = z.object({ businessDate: z.string() });

/**
 * The business dates (YYYY-MM-DD, ascending) whose aggregates the file's load changed. They stay
 * here rather than travelling through workflow history: the aggregate stage reads them by file id.
 * (The note on this table in sql/002 predates the chunked load: the dates are written by the
 * load's first and last transactions, and only since the aggregate stage takes the file id does
 * that stage read them here. A migration applied once cannot be edited, see migrate.ts.)
 */
export async function readAffectedDates(connection: CommonQueryMethods, fileId: string): Promise<string[]> {
  const rows = await connection.any(sql.type(dateRow)`
    select business_date as "businessDate" from ingestion_affected_dates
    where ingestion_file_id = ${fileId} order by business_date`);
  return rows.map((row) => row.businessDate);
}
