import { loadDatabaseConfig } from '../../config.ts';
import { migrate } from '../../db/migrate.ts';
import { createDatabasePool } from '../../db/pool.ts';
import type { Logger } from '../../logger.ts';
import { out } from '../output.ts';

export async function migrateCommand(logger: Logger): Promise<number> {
  const pool = await createDatabasePool(loadDatabaseConfig());
  try {
    const applied = await migrate(pool, logger);
    out.line(applied.length === 0 ? 'Schema is up to date.' : `Applied ${applied.join(', ')}.`);
    return 0;
  } finally {
    await pool.end();
  }
}
