import type { DatabasePool, DatabaseTransactionConnection } from 'slonik';
import { z } from 'zod';
import { loadChunk } from './load-chunk.ts';
import { finishLoad } from './load-finish.ts';
import { type LoadPlan, settleLoadPlan } from './load-plan.ts';
import { prepareLoad } from './load-prepare.ts';
import { readLatestLinesAlone } from './latest-staged-lines.ts';
import { loadRebuildingIndexes } from './load-rebuilding-indexes.ts';
import { sql } from './sql.ts';
import { groupStagedOrders } from './staging-orders.ts';
import { useBulkWorkMem } from './work-mem.ts';

export type LoadResult = {
  rowsLoaded: number;
  ordersLoaded: number;
  /**
   * No load returns this any more: the file's business dates stay in the database and its
   * aggregate stage reads them by file id (readAffectedDates). Results recorded in workflow
   * histories before that still carry them, and IngestFileWorkflow replays such a history by
   * passing them on as it did then (patch 'aggregate-days-by-file-id').
   */
  affectedDates?: string[];
  /**
   * True when an earlier call had already finished this load: this one applied nothing and only
   * read the recorded result (a retry after a commit whose completion never reached Temporal).
   */
  alreadyLoaded: boolean;
};

/**
 * What a load tells as it goes, for its activity to heartbeat: each step as it begins, and each
 * chunk as it commits (or is found committed by an earlier attempt). A load found done tells nothing.
 */
export type LoadEvent =
  | { step: 'prepare' }
  | { step: 'orders' | 'order-lines' | 'committed'; plan: LoadPlan; chunk: number }
  | { step: 'indexes' | 'finish'; plan: LoadPlan };

const fileRow = z.object({ loadedAt: z.string().nullable(), processedRows: z.number().nullable() });
const countRow = z.object({ count: z.number() });

/**
 * Moves one file's staged lines into the base tables, set-based, with every upsert in a stable key
 * order so that concurrent loads lock rows in the same order. Three steps, each its own transaction:
 * customers and products (load-prepare.ts), where the plan is settled (load-plan.ts), while another
 * connection groups the lines into orders (staging-orders.ts), and the first of the two to finish
 * then finds each product's latest line (latest-staged-lines.ts); the orders and their lines, in
 * chunks that run side by side (load-chunk.ts) or, for a file as large as the tables, in one chunk
 * with the secondary indexes rebuilt (load-rebuilding-indexes.ts); then the derived columns and
 * the `loaded_at` stamp (load-finish.ts).
 *
 * Idempotent: every step can run again, committed chunks are skipped, and a load that finds the
 * stamp returns the recorded result instead of applying the file again. Between the first chunk's
 * commit and the stamp, readers can see part of the file; its aggregates change only afterwards.
 */
export async function loadStagedFile(
  pool: DatabasePool,
  fileId: string,
  businessTimeZone: string,
  observe: (event: LoadEvent) => void = () => {},
): Promise<LoadResult> {
  observe({ step: 'prepare' });
  const preparing = pool.transaction(async (tx): Promise<LoadResult | LoadPlan> => {
    const done = await recordedLoad(tx, fileId);
    if (done !== null) return done;
    // Sorts and hashes of a large file's staged lines stay in memory.
    await useBulkWorkMem(tx);
    await prepareLoad(tx, fileId, businessTimeZone);
    return settleLoadPlan(tx, fileId);
  });
  // Side by side: the orders and each product's latest line need none of the first transaction's
  // rows, only the staged lines. The latest lines are read on whichever of the two connections
  // frees first: which of the two steps ends first depends on the file.
  const grouping = groupStagedOrders(pool, fileId);
  const reading = firstSettled(preparing, grouping).then(() => readLatestLinesAlone(pool, fileId));
  const [prepared, grouped, read] = await Promise.allSettled([preparing, grouping, reading]);
  if (prepared.status === 'rejected') throw prepared.reason;
  if (grouped.status === 'rejected') throw grouped.reason;
  if (read.status === 'rejected') throw read.reason;
  const started = prepared.value;
  if ('alreadyLoaded' in started) return started;
  const plan = started;
  const latestLines = read.value;
  if (plan.rebuildsIndexes) {
    await pool.transaction(async (tx) => {
      await useBulkWorkMem(tx);
      const onStep = (step: 'orders' | 'order-lines' | 'indexes') =>
        observe(step === 'indexes' ? { step, plan } : { step, plan, chunk: 0 });
      return loadRebuildingIndexes(tx, fileId, businessTimeZone, onStep, latestLines);
    });
    observe({ step: 'committed', plan, chunk: 0 });
  } else {
    const chunks = Array.from({ length: plan.chunks }, (_, chunk) => chunk);
    await Promise.all(
      chunks.map(async (chunk) => {
        await pool.transaction(async (tx) => {
          await useBulkWorkMem(tx);
          const onStep = (step: 'orders' | 'order-lines') => observe({ step, plan, chunk });
          const options = { tablesLocked: false, onStep, latestLines };
          return loadChunk(tx, fileId, chunk, plan.chunks, businessTimeZone, options);
        });
        observe({ step: 'committed', plan, chunk });
      }),
    );
  }

  observe({ step: 'finish', plan });
  return pool.transaction(async (tx) => {
    // A second attempt that raced this one to the end finds the stamp and reports the same result.
    const done = await recordedLoad(tx, fileId);
    if (done !== null) return done;
    const totals = await finishLoad(tx, fileId, plan.chunks);
    return { ...totals, alreadyLoaded: false };
  });
}

/** Settles when the first of the two does, fulfilled or not (each is awaited on its own as well). */
function firstSettled(first: Promise<unknown>, second: Promise<unknown>): Promise<void> {
  const ignoreOutcome = () => {};
  return Promise.race([first.then(ignoreOutcome, ignoreOutcome), second.then(ignoreOutcome, ignoreOutcome)]);
}

/** Locks the file row; returns the earlier result if its load already finished. */
async function recordedLoad(tx: DatabaseTransactionConnection, fileId: string): Promise<LoadResult | null> {
  const file = await tx.one(sql.type(fileRow)`
    select loaded_at as "loadedAt", processed_rows as "processedRows"
    from ingestion_files where id = ${fileId} for update`);
  if (file.loadedAt === null) return null;
  return {
    rowsLoaded: file.processedRows ?? 0,
    ordersLoaded: await countFileOrders(tx, fileId),
    alreadyLoaded: true,
  };
}

async function countFileOrders(tx: DatabaseTransactionConnection, fileId: string): Promise<number> {
  const row = await tx.one(sql.type(countRow)`select count(*) as count from orders where ingestion_file_id = ${fileId}`);
  return row.count;
}
