import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from 'slonik';
import { z } from 'zod';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

/**
 * The ids a bulk statement draws as a series (sql/011, sql/015): valid time-ordered UUIDv7s,
 * counting up in the order the statement produces its rows, and never repeated by another statement.
 */
const seriesRow = z.object({ series: z.number(), n: z.number(), id: z.string() });
const clockRow = z.object({ unixMs: z.number() });

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase('ids_in_series');
});

afterAll(async () => {
  await database?.drop();
});

/** The Unix milliseconds a UUIDv7 carries in its first 48 bits. */
const unixMsOf = (id: string): number => Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16);

describe('ids drawn in series', () => {
  it('are UUIDv7s of the statement time, ascending within a statement and distinct across statements', async () => {
    const { unixMs: before } = await database.pool.one(sql.type(clockRow)`
      select (extract(epoch from clock_timestamp()) * 1000)::bigint as "unixMs"`);
    const rows: Array<z.infer<typeof seriesRow>> = [];
    for (const series of [1, 2, 3]) {
      rows.push(
        ...(await database.pool.any(sql.type(seriesRow)`
          select ${series}::int as series, n, pipeforge_id_in_series((select pipeforge_id_series()), row_number() over ())::text as id
          from generate_series(1, 2000) n
          order by n`)),
      );
    }
    const { unixMs: after } = await database.pool.one(sql.type(clockRow)`
      select (extract(epoch from clock_timestamp()) * 1000)::bigint as "unixMs"`);

    expect(rows).toHaveLength(6000);
    expect(new Set(rows.map((row) => row.id)).size).toBe(6000);
    for (const row of rows) {
      expect(row.id).toMatch(UUID_V7);
      expect(unixMsOf(row.id)).toBeGreaterThanOrEqual(before);
      expect(unixMsOf(row.id)).toBeLessThanOrEqual(after);
    }
    for (const series of [1, 2, 3]) {
      const ids = rows.filter((row) => row.series === series).map((row) => row.id);
      expect(ids).toEqual([...ids].sort());
      // One series per statement: everything but the counter is shared.
      expect(new Set(ids.map((id) => id.slice(0, 26))).size).toBe(1);
      // The counter is the row's number, in the last 10 hex digits.
      const counters = ids.map((id) => Number.parseInt(id.replaceAll('-', '').slice(22), 16)).sort((a, b) => a - b);
      expect(counters).toEqual(Array.from({ length: 2000 }, (_, index) => index + 1));
    }
    expect(new Set(rows.map((row) => row.id.slice(0, 26))).size).toBe(3);
  });
});
