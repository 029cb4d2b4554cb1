import { parseArgs } from 'node:util';
import { loadDatabaseConfig } from '../../config.ts';
import { listRecentFiles } from '../../db/ingestion-files.ts';
import { createDatabasePool } from '../../db/pool.ts';
import type { Logger } from '../../logger.ts';
import { formatTable, out } from '../output.ts';

export async function filesCommand(args: string[], _logger: Logger): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { limit: { type: 'string', default: '20' }, json: { type: 'boolean', default: false } },
  });
  const limit = Number.parseInt(values.limit, 10);
  if (!Number.isInteger(limit) || limit < 1) throw new Error('--limit must be a positive whole number');
  const pool = await createDatabasePool(loadDatabaseConfig());
  try {
    const files = await listRecentFiles(pool, limit);
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
}
