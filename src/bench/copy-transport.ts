import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { SAMPLE_HEADER } from '../sample/generate-order-lines.ts';

/** The order-line columns with the types their text has, so COPY pays the casts a load pays too. */
const COLUMN_TYPES: Record<string, string> = {
  order_ref: 'text',
  order_date: 'timestamptz',
  customer_email: 'text',
  customer_region: 'text',
  sku: 'text',
  product_name: 'text',
  category: 'text',
  quantity: 'integer',
  unit_price: 'numeric',
  payment_method: 'text',
};

export type CopyTiming = { seconds: number; rows: number };

/**
 * The transport limit: the same file streamed with COPY into a fresh unlogged table, no parsing in
 * Node, no constraints, no WAL. No pipeline can load the file faster than this; the table is
 * dropped afterwards so it costs the database nothing later.
 */
export async function timeCopyTransport(databaseUrl: string, path: string): Promise<CopyTiming> {
  const columns = SAMPLE_HEADER.split(',');
  const table = `bench_copy_${process.pid}_${Date.now()}`;
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'pipeforge-bench' });
  await client.connect();
  try {
    await client.query(
      `create unlogged table ${table} (${columns.map((column) => `${column} ${COLUMN_TYPES[column] ?? 'text'}`).join(', ')})`,
    );
    const startedAt = performance.now();
    // HEADER MATCH: a file whose columns are not these fails instead of loading shifted values.
    const copy = client.query(copyFrom(`copy ${table} (${columns.join(', ')}) from stdin with (format csv, header match)`));
    await pipeline(createReadStream(path), copy);
    return { seconds: (performance.now() - startedAt) / 1000, rows: copy.rowCount };
  } finally {
    await client.query(`drop table if exists ${table}`).catch(() => {});
    await client.end();
  }
}
