import { parseArgs } from 'node:util';
import { loadDatabaseConfig } from '../../config.ts';
import { createDatabasePool } from '../../db/pool.ts';
import { REPORT_DIMENSIONS, salesReportBy, type ReportDimension } from '../../db/sales-report-by.ts';
import type { Logger } from '../../logger.ts';
import { explicitRange } from '../aggregation-range-args.ts';
import { UsageError } from '../../errors.ts';
import { businessTimeZone } from '../business-time-zone.ts';
import { formatReport, REPORT_FORMATS, type ReportFormat } from '../report-format.ts';
import { out } from '../output.ts';

const USAGE = `usage: pipeforge report --from YYYY-MM-DD --to YYYY-MM-DD [--by ${REPORT_DIMENSIONS.join('|')}] [--format ${REPORT_FORMATS.join('|')}]`;

/** Revenue, units, orders and unique customers per group over a range of business days. */
export async function reportCommand(args: string[], _logger: Logger): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      by: { type: 'string', default: 'day' },
      format: { type: 'string', default: 'table' },
    },
  });
  let query: { from: string; to: string; by: ReportDimension; timeZone: string };
  let format: ReportFormat;
  try {
    const by = REPORT_DIMENSIONS.find((dimension) => dimension === values.by);
    if (!by) throw new UsageError(`--by must be one of ${REPORT_DIMENSIONS.join(', ')}`);
    const chosen = REPORT_FORMATS.find((candidate) => candidate === values.format);
    if (!chosen) throw new UsageError(`--format must be one of ${REPORT_FORMATS.join(', ')}`);
    format = chosen;
    query = { ...explicitRange(values), by, timeZone: businessTimeZone() };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    out.error(`pipeforge report: ${error.message}\n\n${USAGE}`);
    return 2;
  }

  const pool = await createDatabasePool(loadDatabaseConfig());
  try {
    const text = formatReport(await salesReportBy(pool, query), format);
    // The formatters end their text with its line terminator; out.line supplies that last \n.
    out.line(text.endsWith('\n') ? text.slice(0, -1) : text);
    return 0;
  } finally {
    await pool.end();
  }
}
