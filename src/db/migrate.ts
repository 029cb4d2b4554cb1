import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import type { DatabasePool } from 'slonik';
import { z } from 'zod';
import type { Logger } from '../logger.ts';
import { connectPgClient } from './pg-client.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../sql/', import.meta.url));

type Migration = { version: string; file: string; text: string; checksum: string };

const appliedRows = z.array(z.object({ version: z.string(), checksum: z.string() }));

/**
 * Applies the numbered files of sql/ that have not been applied yet, each in its own transaction,
 * under an advisory lock so that two processes migrating at once apply each file once. A file that
 * was edited after it was applied is an error: the database would no longer match the repository.
 *
 * A file holds several statements, which the pool sends one at a time as parameterised queries; so
 * the migrations go over a plain driver connection to the pool's database, each file's text as is,
 * in one simple query.
 */
export async function migrate(pool: DatabasePool, logger: Logger): Promise<string[]> {
  const migrations = await readMigrations();
  const client = await connectPgClient(pool.configuration.connectionUri, 'pipeforge-migrate');
  try {
    await client.query(`select pg_advisory_lock(hashtext('pipeforge:migrate'))`);
    try {
      return await applyPending(client, migrations, logger);
    } finally {
      await client.query(`select pg_advisory_unlock(hashtext('pipeforge:migrate'))`);
    }
  } finally {
    await client.end().catch(() => {});
  }
}

async function applyPending(client: pg.Client, migrations: readonly Migration[], logger: Logger): Promise<string[]> {
  await client.query(`
    create table if not exists schema_migrations (
      version text primary key,
      checksum text not null,
      applied_at timestamptz not null default now()
    )`);
  const applied = new Map(
    appliedRows.parse((await client.query('select version, checksum from schema_migrations')).rows).map((row) => [
      row.version,
      row.checksum,
    ]),
  );
  const newlyApplied: string[] = [];
  for (const migration of migrations) {
    const appliedChecksum = applied.get(migration.version);
    if (appliedChecksum !== undefined) {
      if (appliedChecksum !== migration.checksum) {
        throw new Error(`migration ${migration.file} was changed after it was applied; add a new migration instead`);
      }
      continue;
    }
    await inTransaction(client, async () => {
      await client.query(migration.text);
      await client.query('insert into schema_migrations (version, checksum) values ($1, $2)', [
        migration.version,
        migration.checksum,
      ]);
    });
    logger.info({ migration: migration.file }, 'applied migration');
    newlyApplied.push(migration.file);
  }
  return newlyApplied;
}

async function inTransaction(client: pg.Client, work: () => Promise<void>): Promise<void> {
  await client.query('begin');
  try {
    await work();
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  }
}

async function readMigrations(): Promise<Migration[]> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((name) => /^\d{3}_[a-z0-9_]+\.sql$/.test(name)).sort();
  return Promise.all(
    files.map(async (file) => {
      const text = await readFile(`${MIGRATIONS_DIR}${file}`, 'utf8');
      return {
        version: file.slice(0, 3),
        file,
        text,
        checksum: createHash('sha256').update(text).digest('hex'),
      };
    }),
  );
}
