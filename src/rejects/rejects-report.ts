import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { streamRejectedLines } from '../db/rejects.ts';
import type { DatabasePool } from '../db/pool.ts';
import { rejectsReportKey } from '../storage/object-keys.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { csvRow } from './csv-cells.ts';
import { readRawRecords } from './raw-records.ts';

export const REJECTS_REPORT_HEADER = ['line', 'reason', 'original_line'] as const;

/** How often (in records read) the caller hears that the report is still being written. */
const PROGRESS_EVERY = 50_000;

export type RejectsReportInput = {
  pool: DatabasePool;
  store: ObjectStore;
  fileId: string;
  objectKey: string;
  /** The name the user knows the file by, for a message about its bytes (the object key if absent). */
  filename?: string;
  /** Called now and then during a long pass, so the activity can heartbeat. */
  onProgress?: () => void;
};

/**
 * Writes the rejects report of an uploaded object (key: rejectsReportKey): one row per rejected
 * line with its line number, its reasons and the line as written, for the person who fixes the
 * export. The original line may hold the customer's email; that is their own file, already in the
 * same bucket, and this object is the only place PipeForge repeats it.
 *
 * A second streaming pass over the object is merged with the rejects read from the database in
 * line order, through a temporary file, so memory stays flat whatever the size of either. The
 * report depends only on the object and the recorded rejects, so a retry rewrites the same bytes
 * under the same key. Returns the key.
 */
export async function writeRejectsReport(input: RejectsReportInput): Promise<string> {
  const key = rejectsReportKey(input.objectKey);
  const dir = await mkdtemp(join(tmpdir(), 'pipeforge-rejects-'));
  try {
    const path = join(dir, 'report.csv');
    const output = createWriteStream(path);
    try {
      await writeReportRows(input, (row) => (output.write(row) ? undefined : once(output, 'drain').then(() => undefined)));
    } finally {
      output.end();
      await finished(output);
    }
    await input.store.uploadFile(key, path, 'text/csv; charset=utf-8');
    return key;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function writeReportRows(
  input: RejectsReportInput,
  write: (row: string) => Promise<void> | undefined,
): Promise<void> {
  await write(csvRow(REJECTS_REPORT_HEADER));
  const rejects = streamRejectedLines(input.pool, input.fileId);
  // A gzip export is inflated again here, so its report quotes the lines as the parser read them.
  const records = readRawRecords((await input.store.readContent(input.objectKey, input.filename ?? input.objectKey)).stream);
  let recordsRead = 0;
  try {
    let record = await records.next();
    for await (const reject of rejects) {
      while (!record.done && record.value.lineNumber < reject.lineNumber) {
        record = await records.next();
        recordsRead += 1;
        if (recordsRead % PROGRESS_EVERY === 0) input.onProgress?.();
      }
      // A rejected line always starts a record of the file the parser read; an empty original
      // would mean the object changed, and the reasons are still worth having.
      const original = !record.done && record.value.lineNumber === reject.lineNumber ? record.value.text : '';
      await write(csvRow([reject.lineNumber, reject.reasons, original]));
    }
  } finally {
    // Stops the download once the last rejected line is found.
    await records.return(undefined);
  }
}
