import type { DatabasePool, DatabaseTransactionConnection } from 'slonik';
import { z } from 'zod';
import { containsEmail } from '../domain/email-in-text.ts';
import { RevertRefusedError } from '../errors.ts';
import { revertCustomers, revertProducts } from './revert-derived.ts';
import { holdRevertLock } from './revert-keep.ts';
import { revertOrders } from './revert-orders.ts';
import { sql } from './sql.ts';
import type { RevertCounts } from '../workflows/revert-file-contract.ts';
import { useBulkWorkMem } from './work-mem.ts';

/** What a revert changed (or, previewed, would change): the counts its workflow reports. */
export type RevertOutcome = RevertCounts;

export type RevertResult = {
  /** False when the file had been reverted before: nothing changed now, the outcome is the earlier one. */
  revertedNow: boolean;
  revertedAt: string;
  reason: string | null;
  outcome: RevertOutcome;
};

export type RevertOptions = { reason: string | null; timeZone: string; retentionDays: number | null };

const outcomeShape = z.object({
  ordersRestored: z.number(),
  ordersDeleted: z.number(),
  ordersUnchanged: z.number(),
  customersRemoved: z.number(),
  productsRemoved: z.number(),
  daysAffected: z.number(),
});
const fileRow = z.object({
  status: z.string(),
  loaded: z.boolean(),
  kept: z.boolean(),
  expired: z.boolean(),
  revertedAt: z.string().nullable(),
  revertReason: z.string().nullable(),
  revertOutcome: outcomeShape.nullable(),
});
const countRow = z.object({ count: z.number() });
const stampRow = z.object({ revertedAt: z.string() });

/**
 * Reverts a loaded file in one transaction: the orders it replaced come back, the orders only it
 * had go, customers and products become what the other files make them, and the business dates
 * whose rollup changes are recorded with the file (ingestion_affected_dates, day versions bumped)
 * for the aggregate stage, which reads them by file id as a load's does. The file is then
 * `reverted`; its rejects and its row stay, and its content no longer counts as ingested.
 *
 * Idempotent: a file reverted before is left alone and its recorded outcome returned. Exclusive
 * with every load transaction (holdRevertLock), so it serialises with loads of other files.
 */
export async function revertFile(pool: DatabasePool, fileId: string, options: RevertOptions): Promise<RevertResult> {
  return pool.transaction((tx) => revertInTransaction(tx, fileId, options));
}

class PreviewRollback extends Error {
  readonly result: RevertResult;
  constructor(result: RevertResult) {
    super('preview rolled back');
    this.result = result;
  }
}

/** What revertFile would change now, computed by doing it and rolling it back. */
export async function previewRevert(pool: DatabasePool, fileId: string, options: RevertOptions): Promise<RevertResult> {
  try {
    return await pool.transaction(async (tx) => {
      const result = await revertInTransaction(tx, fileId, options);
      if (!result.revertedNow) return result;
      throw new PreviewRollback(result);
    });
  } catch (error) {
    if (error instanceof PreviewRollback) return error.result;
    throw error;
  }
}

async function revertInTransaction(tx: DatabaseTransactionConnection, fileId: string, options: RevertOptions): Promise<RevertResult> {
  if (options.reason !== null && containsEmail(options.reason)) {
    throw new RevertRefusedError('the reason looks like it holds an email address, which PipeForge never stores');
  }
  await holdRevertLock(tx);
  const file = await lockFile(tx, fileId, options.retentionDays);
  if (file.status === 'reverted' && file.revertedAt !== null && file.revertOutcome !== null) {
    return { revertedNow: false, revertedAt: file.revertedAt, reason: file.revertReason, outcome: file.revertOutcome };
  }
  refuseUnrevertable(fileId, file);
  await useBulkWorkMem(tx);

  const orders = await revertOrders(tx, fileId, options.timeZone);
  const customersRemoved = await revertCustomers(tx, fileId);
  const productsRemoved = await revertProducts(tx, fileId, options.timeZone);
  const daysAffected = await recordRevertDates(tx, fileId);
  const outcome: RevertOutcome = {
    ordersRestored: orders.restored,
    ordersDeleted: orders.deleted,
    ordersUnchanged: orders.superseded,
    customersRemoved,
    productsRemoved,
    daysAffected,
  };
  const { revertedAt } = await tx.one(sql.type(stampRow)`
    update ingestion_files
    set status = 'reverted', reverted_at = now(), revert_reason = ${options.reason},
        revert_outcome = ${JSON.stringify(outcome)}::jsonb, updated_at = now()
    where id = ${fileId}
    returning reverted_at as "revertedAt"`);
  return { revertedNow: true, revertedAt, reason: options.reason, outcome };
}

async function lockFile(tx: DatabaseTransactionConnection, fileId: string, retentionDays: number | null) {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(fileId)) {
    throw new RevertRefusedError(`${fileId} is not a file id (a UUID, as \`pipeforge files\` lists them)`);
  }
  const file = await tx.maybeOne(sql.type(fileRow)`
    select status, loaded_at is not null as loaded, load_seq is not null as kept,
           coalesce(loaded_at < now() - make_interval(days => ${retentionDays ?? 0}::int), false)
             and ${retentionDays !== null} as expired,
           reverted_at as "revertedAt", revert_reason as "revertReason", revert_outcome as "revertOutcome"
    from ingestion_files where id = ${fileId}::uuid for update`);
  if (!file) throw new RevertRefusedError(`no ingestion file has the id ${fileId}`);
  return file;
}

function refuseUnrevertable(fileId: string, file: z.infer<typeof fileRow>): void {
  if (file.status !== 'completed' || !file.loaded) {
    const state = file.status === 'completed' ? 'completed without loading anything' : file.status;
    throw new RevertRefusedError(`file ${fileId} is ${state}; only a file that loaded and completed can be reverted`);
  }
  if (!file.kept) {
    throw new RevertRefusedError(
      `file ${fileId} was loaded before PipeForge kept what a revert needs (migration 007); it cannot be reverted`,
    );
  }
  if (file.expired) {
    throw new RevertRefusedError(
      `file ${fileId} was loaded longer ago than PIPEFORGE_REVERT_RETENTION_DAYS allows; it can no longer be reverted`,
    );
  }
}

/** As a load's last step does with its dates, in date order so that concurrent writers never cycle. */
async function recordRevertDates(tx: DatabaseTransactionConnection, fileId: string): Promise<number> {
  await tx.query(sql.typeAlias('void')`
    insert into ingestion_affected_dates (ingestion_file_id, business_date)
    select distinct ${fileId}::uuid, date from revert_dates
    on conflict do nothing`);
  await tx.query(sql.typeAlias('void')`
    insert into sales_aggregate_day_versions (date, version)
    select distinct date, 2 from revert_dates
    order by date
    on conflict (date) do update set version = sales_aggregate_day_versions.version + 1`);
  const { count } = await tx.one(sql.type(countRow)`select count(distinct date) as count from revert_dates`);
  return count;
}
