/**
 * The keys of the bucket's objects, each kind under a prefix of its own. The user's file name is
 * reduced to a safe last path segment so that no name (with `/`, `..`, control characters or shell
 * metacharacters) can place an object outside the upload prefix or mean anything to a shell.
 */
export const UPLOAD_PREFIX = 'uploads/';

/**
 * The drop zone `pipeforge watch` listens to by default, for other tools to put exports in. It is
 * distinct from UPLOAD_PREFIX so that watching it never re-triggers what the CLI itself uploaded.
 */
export const DROP_PREFIX = 'incoming/';

/**
 * Reports live under their own prefix, never inside a prefix that files are uploaded to or
 * dropped into: a watcher of the drop zone must not take a report for a new export.
 */
export const REJECTS_REPORT_PREFIX = 'rejects/';

export function safeFileName(name: string): string {
  const lastSegment = name.split(/[\\/]/).pop() ?? '';
  const cleaned = lastSegment
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}._-]+/gu, '_')
    .replace(/^[._]+/, '')
    .slice(0, 120);
  return cleaned === '' ? 'unnamed.csv' : cleaned;
}

/** Grouped under the content hash, so two different files with the same name never overwrite each other. */
export function uploadKey(contentHash: string, filename: string): string {
  return `${UPLOAD_PREFIX}${contentHash}/${safeFileName(filename)}`;
}

/** The name a dropped object is known by: its key's last segment. */
export function objectFileName(key: string): string {
  return safeFileName(key);
}

/**
 * Where the rejects report of a stored object lives: its own key under the reports prefix, so
 * whoever fixes the export finds the report by the file's path (`rejects/<key>.rejects.csv`).
 */
export function rejectsReportKey(objectKey: string): string {
  return `${REJECTS_REPORT_PREFIX}${objectKey}.rejects.csv`;
}
