import type { CommonQueryMethods, DatabasePool, DatabaseTransactionConnection, FragmentSqlToken } from 'slonik';
import { z } from 'zod';
import { sql } from './sql.ts';

const lineNumberRow = z.object({ lineNumber: z.number() });

/**
 * The line number of each sku's latest staged line of the file: the latest order date, then the
 * highest line number, as the contract breaks ties. Found by grouping, not by sorting the lines.
 * Reads staging alone, which does not change during the file's load (see readLatestLinesAlone).
 */
export async function readLatestStagedLines(db: CommonQueryMethods, fileId: string): Promise<readonly number[]> {
  return db.anyFirst(sql.type(lineNumberRow)`
    with latest_date as (
      select s.sku, max(s.order_date) as order_date
      from staging_order_lines s
      where s.ingestion_file_id = ${fileId}
      group by s.sku
    )
    select max(s.line_number) as "lineNumber"
    from staging_order_lines s
    join latest_date d on d.sku = s.sku and d.order_date = s.order_date
    where s.ingestion_file_id = ${fileId}
    group by s.sku`);
}

/**
 * The same read on a connection of its own, once for all of a load's chunks: beside the load's
 * first step, after the grouping of its orders (load-staged-file.ts). Without parallel workers:
 * each would group the whole file again for the join, and the first step wants the other core.
 */
export async function readLatestLinesAlone(pool: DatabasePool, fileId: string): Promise<readonly number[]> {
  return pool.transaction(async (tx) => {
    await tx.query(sql.typeAlias('setting')`select set_config('max_parallel_workers_per_gather', '0', true) as value`);
    return readLatestStagedLines(tx, fileId);
  });
}

/** Which chunk of which file keeps its lines, and how its lines are picked from staging (load-chunk.ts). */
export type KeepingChunk = { fileId: string; chunk: number; inChunk: FragmentSqlToken };

/**
 * Keeps, for the load's last step, the file's latest line of each product whose line is one of the
 * chunk's: that step moves base prices forward from these instead of reading the file's lines
 * again, and takes the latest of what the chunks kept. A line's id is its number in the series the
 * chunk's order lines were written with (load-chunk.ts), so no written line is read back.
 */
export async function keepLatestLines(
  tx: DatabaseTransactionConnection,
  { fileId, chunk, inChunk }: KeepingChunk,
  latestLineNumbers: readonly number[],
  lineIdSeries: string,
): Promise<void> {
  await tx.query(sql.typeAlias('void')`
    insert into ingestion_chunk_latest_prices (ingestion_file_id, chunk, product_id, item_id, price, order_date, line_number)
    select ${fileId}::uuid, ${chunk}::int, p.id, pipeforge_uuid_in_series(${lineIdSeries}, s.line_number),
           s.unit_price, s.order_date, s.line_number
    from unnest(${sql.array(latestLineNumbers, 'int4')}) as latest (line_number)
    join staging_order_lines s on s.ingestion_file_id = ${fileId} and s.line_number = latest.line_number
    join products p on p.sku = s.sku
    where ${inChunk}`);
}
