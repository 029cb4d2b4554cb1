import { loadDatabaseConfig } from '../../config.ts';
import { createDatabasePool } from '../../db/pool.ts';
import { REPORT_DIMENSIONS, salesReportBy, type ReportDimension } from '../../db/sales-report-by.ts';
import { explicitRange } from '../aggregation-range-args.ts';
import { UsageError } from '../../errors.ts';
import { businessTimeZone } from '../business-time-zone.ts';
import { commandRunner } from '../command-line/run.ts';
import { REPORT, REPORT_BY } from '../command-specs/aggregation.ts';
import { databaseEndpoint, ensureReachable } from '../reachability.ts';
import { formatReport, REPORT_FORMATS } from '../report-format.ts';
import { out } from '../output.ts';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Fails to compile when the spec's --by choices (which cannot import slonik's module) drift from the report's dimensions. */
export const BY_MATCHES_DIMENSIONS: Same<(typeof REPORT_BY)[number], ReportDimension> = true;

/** Revenue, units, orders and unique customers per group over a range of business days. */
export const reportCommand = commandRunner('report', REPORT, async ({ values }) => {
  const by = REPORT_DIMENSIONS.find((dimension) => dimension === values.by);
  if (!by) throw new UsageError(`--by must be one of ${REPORT_DIMENSIONS.join(', ')}`);
  const format = REPORT_FORMATS.find((candidate) => candidate === values.format);
  if (!format) throw new UsageError(`--format must be one of ${REPORT_FORMATS.join(', ')}`);
  const query = { ...explicitRange(values), by, timeZone: businessTimeZone() };

  const database = loadDatabaseConfig();
  await ensureReachable(databaseEndpoint(database));
  const pool = await createDatabasePool(database);
  try {
    const text = formatReport(await salesReportBy(pool, query), format);
    // The formatters end their text with its line terminator; out.line supplies that last \n.
    out.line(text.endsWith('\n') ? text.slice(0, -1) : text);
    return 0;
  } finally {
    await pool.end();
  }
});
