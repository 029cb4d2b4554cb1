import type { DatabaseTransactionConnection, FragmentSqlToken } from 'slonik';
import { z } from 'zod';
import { sql } from './sql.ts';

export type ReferencedTable = 'customers' | 'products' | 'ingestion_files';

const missingRow = z.object({ missing: z.number() });

/**
 * Bulk statements check their foreign keys once per referenced row instead of once per written row.
 *
 * PostgreSQL checks a foreign key with a query per inserted row. In a bulk insert that costs more
 * than the insert itself, for order lines and rollup rows alike. A load references far fewer rows
 * than it writes (a few thousand products for a million lines), so it checks those instead:
 *
 * 1. `lockReferencedRows` takes, on every distinct row a statement will reference, the lock the
 *    per-row check would take (`for key share`): until commit nobody can delete such a row or
 *    change its key, so what is found now stays valid. It fails if one is already gone.
 * 2. `skipPerRowReferenceChecks` then turns the per-row checks off until the transaction ends,
 *    with `session_replication_role = replica` (as pg_restore --disable-triggers does). Only the
 *    foreign-key triggers exist on these tables; they are the only triggers this skips.
 *
 * Setting that parameter needs a superuser or a role granted SET on it. Without that the per-row
 * checks simply stay on: the same result, only slower.
 */
export async function lockReferencedRows(
  tx: DatabaseTransactionConnection,
  table: ReferencedTable,
  ids: FragmentSqlToken,
): Promise<void> {
  const { missing } = await tx.one(sql.type(missingRow)`
    with wanted as (
      select distinct id from (${ids}) as referenced (id)
    ), locked as (
      select id from ${sql.identifier([table])} where id in (select id from wanted)
      order by id
      for key share
    )
    select (select count(*) from wanted) - (select count(*) from locked) as missing`);
  // Another transaction deleted a row between the statement that found it and this lock; the
  // caller's attempt fails as a whole and its retry reads the rows again.
  if (missing > 0) throw new Error(`${missing} ${table} row(s) referenced by this load were deleted while it ran`);
}

/** See lockReferencedRows: call after it, once every referenced row is locked. */
export async function skipPerRowReferenceChecks(tx: DatabaseTransactionConnection): Promise<void> {
  await tx.query(sql.typeAlias('setting')`
    select set_config('session_replication_role', 'replica', true) as value
    where has_parameter_privilege('session_replication_role', 'SET')`);
}
