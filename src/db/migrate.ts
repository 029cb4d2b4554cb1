import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import type { Logger } from '../logger.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../sql/', import.meta.url));

type Migration = { version: string; file: string; text: string; checksum: string };

const appliedRow = z.object({ version: z.string(), checksum: z.string() });

/**
 * Applies the numbered files of sql/ that have not been applied yet, each in its own transaction,
 * under an advisory lock so that two processes migrating at once apply each file once. A file that
 * was edited after it was applied is an error: the database would no longer match the repository.
 */
export async function migrate(pool: DatabasePool, logger: Logger): Promise<string[]> {
  const migrations = await readMigrations();
  return pool.connect(async (connection) => {
    await connection.query(sql.unsafe`select pg_advisory_lock(hashtext('pipeforge:migrate'))`);
    try {
      await connection.query(sql.unsafe`
        create table if not exists schema_migrations (
          version text primary key,
          checksum text not null,
          applied_at timestamptz not null default now()
        )`);
      const applied = new Map(
        (await connection.any(sql.type(appliedRow)`select version, checksum from schema_migrations`)).map((row) => [
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
        await connection.transaction(async (transaction) => {
          await transaction.query(migrationSql(migration.text));
          await transaction.query(
            sql.unsafe`insert into schema_migrations (version, checksum) values (${migration.version}, ${migration.checksum})`,
          );
        });
        logger.info({ migration: migration.file }, 'applied migration');
        newlyApplied.push(migration.file);
      }
      return newlyApplied;
    } finally {
      await connection.query(sql.unsafe`select pg_advisory_unlock(hashtext('pipeforge:migrate'))`);
    }
  });
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

/**
 * Migration files are trusted repository content with several statements each. The driver runs one
 * statement per query, so the file runs as one PL/pgSQL EXECUTE, which accepts several.
 */
function migrationSql(text: string) {
  const quote = '$pipeforge_migration$';
  if (text.includes(quote)) throw new Error(`a migration must not contain ${quote}`);
  const body = `do ${quote.replace('migration', 'block')} begin execute ${quote}${text}${quote}; end ${quote.replace('migration', 'block')}`;
  const strings = Object.freeze(Object.assign([body], { raw: Object.freeze([body]) })) as unknown as TemplateStringsArray;
  return sql.unsafe(strings);
}
