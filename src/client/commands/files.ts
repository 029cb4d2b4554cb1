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
    const rows = files.map((file) => ({
      id: file.id,
      filename: file.filename,
      status: file.status,
      rows: file.totalRows,
      loaded: file.processedRows,
      rejected: file.failedRows,
      started: file.startedAt?.replace('T', ' ').slice(0, 19) ?? null,
    }));
    // On a terminal the error is cut to what fits the line; --wide, --json or a pipe show it whole.
    const columns = values.wide || !process.stdout.isTTY ? Number.POSITIVE_INFINITY : (process.stdout.columns ?? 100);
    const used = Math.max(...formatTable(rows).split('\n').map((line) => line.length)) + 2;
    const room = Math.max(10, columns - used);
    out.line(
      formatTable(
        rows.map((row, index) => {
          const error = files[index]?.errorMessage ?? null;
          return { ...row, error: error && error.length > room ? `${error.slice(0, room - 1)}…` : error };
        }),
      ),
    );
    return 0;
  } finally {
    await pool.end();
  }
});
