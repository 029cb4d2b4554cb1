import { randomBytes } from 'node:crypto';
import { createDatabasePool, type DatabasePool } from '../../src/db/pool.ts';
import { createDatabase, dropDatabase } from '../../src/stack/databases.ts';
import { requireTestEnv, TEMPLATE_DATABASE, TEST_ENV_KEYS } from './test-env.ts';

export type TestDatabase = { name: string; url: string; pool: DatabasePool; drop(): Promise<void> };

/** A database of its own cloned from the migrated template, for workers that run out of process. */
export async function createTestDatabase(prefix = 'faults'): Promise<TestDatabase> {
  const adminUrl = requireTestEnv(TEST_ENV_KEYS.adminDatabaseUrl);
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  await createDatabase(adminUrl, name, TEMPLATE_DATABASE);
  const url = new URL(requireTestEnv('DATABASE_URL'));
  url.pathname = `/${name}`;
  const pool = await createDatabasePool({ url: url.toString(), poolSize: 2 });
  return {
    name,
    url: url.toString(),
    pool,
    async drop() {
      await pool.end();
      await dropDatabase(adminUrl, name);
    },
  };
}
