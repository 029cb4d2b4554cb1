/**
 * Reports live under their own prefix, never inside a prefix that files are uploaded to or
 * dropped into: a watcher of the drop zone must not take a report for a new export.
 */
export const REJECTS_REPORT_PREFIX = 'rejects/';

/**
 * Where the rejects report of a stored object lives: its own key under the reports prefix, so
 * whoever fixes the export finds the report by the file's path (`rejects/<key>.rejects.csv`).
 */
export function rejectsReportKey(objectKey: string): string {
  return `${REJECTS_REPORT_PREFIX}${objectKey}.rejects.csv`;
}
