import { createDatabasePool } from '../db/pool.ts';
import { sql } from '../db/sql.ts';

/**
 * Brings the database to a steady state before a latency measure, and returns the seconds it took:
 * VACUUM (ANALYZE), as autovacuum would shortly after millions of new rows, then a CHECKPOINT.
 * Left to itself, autovacuum may start on the big files' tables in the middle of the measure: one
 * run timed a warm 10,000-line file at 13.4 s that way, and another, which had waited for running
 * autovacuum workers to finish, at 2.85 s. Waiting alone did not help when none had started yet.
 */
export async function settleDatabase(databaseUrl: string): Promise<number> {
  const pool = await createDatabasePool({ url: databaseUrl, poolSize: 1 });
  const started = performance.now();
  try {
    await pool.query(sql.typeAlias('void')`vacuum (analyze)`);
    await pool.query(sql.typeAlias('void')`checkpoint`);
    return (performance.now() - started) / 1000;
  } finally {
    await pool.end();
  }
}
