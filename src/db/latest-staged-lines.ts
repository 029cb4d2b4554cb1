import type { CommonQueryMethods, DatabasePool, DatabaseTransactionConnection, FragmentSqlToken } from 'slonik';
import { z } from 'zod';
import { sql } from './sql.ts';

/**
 * A sku's latest staged line of the file, with what a chunk keeps of it. The price and date go as
 * PostgreSQL's own text of them, so that they come back unchanged (to the microsecond).
 */
const latestLineRow = z.object({
  lineNumber: z.number(),
  orderRef: z.string(),
  sku: z.string(),
  unitPrice: z.string(),
  orderDate: z.string(),
});
export type LatestLine = z.infer<typeof latestLineRow>;

/**
 * Each sku's latest staged line of the file: the latest order date, then the highest line number,
 * as the contract breaks ties. Found by grouping, not by sorting the lines: only the lines on each
 * sku's latest date are sorted. Reads staging alone, which does not change during the file's load
 * (see readLatestLinesAlone).
 */
export async function readLatestStagedLines(db: CommonQueryMethods, fileId: string): Promise<readonly LatestLine[]> {
  return db.any(sql.type(latestLineRow)`
    with latest_date as (
      select s.sku, max(s.order_date) as order_date
      from staging_order_lines s
      where s.ingestion_file_id = ${fileId}
      group by s.sku
    )
    select distinct on (s.sku)
           s.line_number as "lineNumber", s.order_ref as "orderRef", s.sku,
           s.unit_price::text as "unitPrice", s.order_date::text as "orderDate"
    from staging_order_lines s
    join latest_date d on d.sku = s.sku and d.order_date = s.order_date
    where s.ingestion_file_id = ${fileId}
    order by s.sku, s.line_number desc`);
}

/**
 * The same read on a connection of its own, once for all of a load's chunks: in the load's first
 * step, after its customers and products or the grouping of its orders, whichever ends first
 * (load-staged-file.ts). Without parallel workers: each would group the whole file again for the
 * join, and the other half of the first step wants the other core.
 */
export async function readLatestLinesAlone(pool: DatabasePool, fileId: string): Promise<readonly LatestLine[]> {
  return pool.transaction(async (tx) => {
    await tx.query(sql.typeAlias('setting')`select set_config('max_parallel_workers_per_gather', '0', true) as value`);
    return readLatestStagedLines(tx, fileId);
  });
}

/**
 * Which chunk of which file keeps its lines, and which lines are the chunk's: a condition on
 * `s.order_ref` (load-chunk.ts).
 */
export type KeepingChunk = { fileId: string; chunk: number; inChunk: FragmentSqlToken };

/**
 * Keeps, for the load's last step, the file's latest line of each product whose line is one of the
 * chunk's: that step moves base prices forward from these instead of reading the file's lines
 * again, and takes the latest of what the chunks kept. A line's id is its number in the series the
 * chunk's order lines were written with (load-chunk.ts), so no written line is read back, and the
 * lines come with their values, so no staged line is read either.
 */
export async function keepLatestLines(
  tx: DatabaseTransactionConnection,
  { fileId, chunk, inChunk }: KeepingChunk,
  latestLines: readonly LatestLine[],
  lineIdSeries: string,
): Promise<void> {
  const latest = sql.unnest(
    latestLines.map((line) => [line.lineNumber, line.orderRef, line.sku, line.unitPrice, line.orderDate]),
    ['int4', 'text', 'text', 'text', 'text'],
  );
  await tx.query(sql.typeAlias('void')`
    insert into ingestion_chunk_latest_prices (ingestion_file_id, chunk, product_id, item_id, price, order_date, line_number)
    select ${fileId}::uuid, ${chunk}::int, p.id, pipeforge_id_in_series(${lineIdSeries}, s.line_number),
           s.unit_price::numeric, s.order_date::timestamptz, s.line_number
    from ${latest} as s (line_number, order_ref, sku, unit_price, order_date)
    join products p on p.sku = s.sku
    where ${inChunk}`);
}
