import { createPool, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { sql } from '../db/sql.ts';

const foundRow = z.object({ found: z.number() });

/** A short-lived pool for one administrative statement; these run rarely and outside any request. */
async function withAdminPool<T>(adminUrl: string, work: (pool: DatabasePool) => Promise<T>): Promise<T> {
  const pool = await createPool(adminUrl, { maximumPoolSize: 1 });
  try {
    return await work(pool);
  } finally {
    await pool.end();
  }
}

export async function databaseExists(adminUrl: string, name: string): Promise<boolean> {
  return withAdminPool(adminUrl, (pool) =>
    pool.exists(sql.type(foundRow)`select 1 as found from pg_database where datname = ${name}`),
  );
}

/**
 * `template` lets a test clone a migrated database instead of migrating a new one; PostgreSQL
 * refuses the copy while anyone is connected to the template.
 */
export async function createDatabase(adminUrl: string, name: string, template?: string): Promise<void> {
  await withAdminPool(adminUrl, async (pool) => {
    const from = template === undefined ? sql.fragment`` : sql.fragment`template ${sql.identifier([template])}`;
    await pool.query(sql.typeAlias('void')`create database ${sql.identifier([name])} ${from}`);
  });
}

/** Connections still open (e.g. a leaked test pool) are terminated rather than blocking the drop. */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withAdminPool(adminUrl, async (pool) => {
    await pool.query(sql.typeAlias('void')`drop database if exists ${sql.identifier([name])} with (force)`);
  });
}

/** Creates the database unless it exists; a concurrent creator winning the race is not an error. */
export async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  if (await databaseExists(adminUrl, name)) return;
  try {
    await createDatabase(adminUrl, name);
  } catch (error) {
    if (!(await databaseExists(adminUrl, name))) throw error;
  }
}
