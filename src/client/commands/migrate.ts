import { loadDatabaseConfig } from '../../config.ts';
import { migrate } from '../../db/migrate.ts';
import { createDatabasePool } from '../../db/pool.ts';
import { commandRunner } from '../command-line/run.ts';
import { MIGRATE } from '../command-specs/stack.ts';
import { out } from '../output.ts';
import { databaseEndpoint, ensureReachable } from '../reachability.ts';

export const migrateCommand = commandRunner('migrate', MIGRATE, async (_parsed, logger) => {
  const database = loadDatabaseConfig();
  await ensureReachable(databaseEndpoint(database));
  const pool = await createDatabasePool(database);
  try {
    const applied = await migrate(pool, logger);
    out.line(applied.length === 0 ? 'Schema is up to date.' : `Applied ${applied.join(', ')}.`);
    return 0;
  } finally {
    await pool.end();
  }
});
