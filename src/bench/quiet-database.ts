import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'slonik';
import { z } from 'zod';
import { createDatabasePool } from '../db/pool.ts';

const POLL_MS = 250;
const countRow = z.object({ count: z.number() });

/**
 * Waits until PostgreSQL runs no autovacuum worker (at most `maxSeconds`), and returns the seconds
 * waited. After a million-line load, autovacuum spends several seconds of a core on the new rows;
 * a latency measure taken meanwhile would time that maintenance as much as the file in hand.
 */
export async function waitForQuietDatabase(databaseUrl: string, maxSeconds: number): Promise<number> {
  const pool = await createDatabasePool({ url: databaseUrl, poolSize: 1 });
  const started = performance.now();
  try {
    while (performance.now() - started < maxSeconds * 1000) {
      const workers = await pool.oneFirst(sql.type(countRow)`
        select count(*) as count from pg_stat_activity where backend_type = 'autovacuum worker'`);
      if (workers === 0) break;
      await sleep(POLL_MS);
    }
    return (performance.now() - started) / 1000;
  } finally {
    await pool.end();
  }
}
