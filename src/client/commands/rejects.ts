import { loadDatabaseConfig } from '../../config.ts';
import { findFile } from '../../db/ingestion-files.ts';
import { createDatabasePool } from '../../db/pool.ts';
import { countRejects, listRejects } from '../../db/rejects.ts';
import { commandRunner } from '../command-line/run.ts';
import { REJECTS } from '../command-specs/ingestion.ts';
import { rejectsReportKey } from '../../storage/object-keys.ts';
import { formatTable, out } from '../output.ts';
import { databaseEndpoint, ensureReachable } from '../reachability.ts';

/**
 * The rejected lines of one ingestion file: line, column and reason as recorded (never the raw
 * values of a line; the lines as written are in the rejects report object in MinIO).
 */
export const rejectsCommand = commandRunner('rejects', REJECTS, async ({ values, args }) => {
  const id = args.fileId;
  const limit = values.limit;
  const database = loadDatabaseConfig();
  await ensureReachable(databaseEndpoint(database));
  const pool = await createDatabasePool(database);
  try {
    const file = await findFile(pool, id);
    if (!file) {
      out.error(`pipeforge: no ingestion file has the id or content hash ${id}`);
      return 1;
    }
    const counts = await countRejects(pool, file.id);
    const rejects = await listRejects(pool, file.id, limit);
    const report = counts.lines > 0 ? reportPath(file.filePath) : null;
    if (values.json) {
      out.json({
        fileId: file.id,
        filename: file.filename,
        status: file.status,
        rejectedLines: counts.lines,
        problems: counts.problems,
        shown: rejects.length,
        report,
        rejects,
      });
      return 0;
    }
    out.line(`${file.filename} (file ${file.id}, ${file.status}): ${counts.lines} rejected lines, ${counts.problems} problems`);
    if (rejects.length === 0) return 0;
    out.line('');
    out.line(formatTable(rejects.map((reject) => ({ line: reject.lineNumber, column: reject.column, reason: reject.reason }))));
    if (rejects.length < counts.problems) out.line(`(first ${rejects.length} of ${counts.problems}; --limit N shows more)`);
    if (report) out.line(`\nThe parse stage writes these lines as they were in the file to the MinIO object ${report}`);
    return 0;
  } finally {
    await pool.end();
  }
});

/** file_path is `<bucket>/<object key>`; the report is in the same bucket. */
function reportPath(filePath: string): string {
  const slash = filePath.indexOf('/');
  return `${filePath.slice(0, slash + 1)}${rejectsReportKey(filePath.slice(slash + 1))}`;
}
