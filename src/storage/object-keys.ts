/**
 * Object keys for uploaded files. The user's file name is reduced to a safe last path segment so
 * that no name (with `/`, `..`, control characters or shell metacharacters) can place an object
 * outside the upload prefix or mean anything to a shell.
 */
export const UPLOAD_PREFIX = 'incoming/';

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
