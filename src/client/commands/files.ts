import { loadDatabaseConfig } from '../../config.ts';
import { listRecentFiles } from '../../db/ingestion-files.ts';
import { createDatabasePool } from '../../db/pool.ts';
import { commandRunner } from '../command-line/run.ts';
import { FILES } from '../command-specs/ingestion.ts';
import { formatTable, out } from '../output.ts';
import { databaseEndpoint, ensureReachable } from '../reachability.ts';

export const filesCommand = commandRunner('files', FILES, async ({ values }) => {
  const database = loadDatabaseConfig();
  await ensureReachable(databaseEndpoint(database));
  const pool = await createDatabasePool(database);
  try {
    const files = await listRecentFiles(pool, values.limit);
    if (values.json) {
      out.json(files);
      return 0;
    }
    out.line(
      formatTable(
        files.map((file) => ({
          id: file.id,
          filename: file.filename,
          status: file.status,
          rows: file.totalRows,
          loaded: file.processedRows,
          rejected: file.failedRows,
          started: file.startedAt?.replace('T', ' ').slice(0, 19) ?? null,
          error: file.errorMessage ? file.errorMessage.slice(0, 60) : null,
        })),
      ),
    );
    return 0;
  } finally {
    await pool.end();
  }
});
