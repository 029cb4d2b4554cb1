import type { OrderLineBatch, RowReject } from '../domain/csv-order-lines.ts';
import { createCopyBinaryWriter, uuidBytes } from '../db/copy-binary.ts';
import { writeStagingRows } from '../db/staging-copy.ts';

/**
 * A batch of parsed lines in the shape the staging write takes: its lines already as binary COPY
 * data (staging-copy.ts), which the parse thread sends to PostgreSQL itself.
 */
export type StageBatch = {
  copyBytes: Uint8Array;
  rejects: RowReject[];
  /** Data rows read for this batch, valid or not. */
  rowsRead: number;
  lastLineNumber: number;
  /** Every row of the batch lies at or before the resume point: an earlier attempt wrote it. */
  alreadyWritten: boolean;
};

/**
 * What the activity hears of a batch once the thread has written it: counts and rejects only.
 * The bytes stay on the thread, so the main thread, which every activity of the worker shares,
 * neither receives nor collects them.
 */
export type StagedBatch = Omit<StageBatch, 'copyBytes'>;

export type StageBatcher = {
  /** Takes the reader's next batch; returns a stage batch once at least `rowsPerBatch` rows are in. */
  add(batch: OrderLineBatch): StageBatch | null;
  /** What is left after the reader's last batch, possibly no rows: the end of the read. */
  finish(): StageBatch;
};

/**
 * Gathers the reader's batches into stage batches of `rowsPerBatch` rows or more (one COPY each),
 * dropping what an earlier attempt wrote (lines up to `resumeAfter`). The reader's batches are
 * meant to be small: each is written as soon as it comes, so its line objects die young, and only
 * bytes outside the JavaScript heap wait for the batch to fill; holding a whole COPY batch of line
 * objects instead made the young generation's collections copy them over and over.
 */
export function createStageBatcher(fileId: string, resumeAfter: number, rowsPerBatch: number): StageBatcher {
  const fileIdBytes = uuidBytes(fileId);
  let writer = createCopyBinaryWriter();
  let rejects: RowReject[] = [];
  let rowsRead = 0;
  let lastLineNumber = resumeAfter;

  const take = (): StageBatch => {
    const copyBytes = writer.rows() === 0 ? new Uint8Array(0) : writer.finish();
    const batch: StageBatch = { copyBytes, rejects, rowsRead, lastLineNumber, alreadyWritten: lastLineNumber <= resumeAfter };
    // The next batch of a file is about as large as this one.
    writer = createCopyBinaryWriter(copyBytes.byteLength + (copyBytes.byteLength >> 3));
    rejects = [];
    rowsRead = 0;
    return batch;
  };

  return {
    add(batch) {
      rowsRead += batch.rowsRead;
      lastLineNumber = batch.lastLineNumber;
      if (batch.lastLineNumber > resumeAfter) {
        writeStagingRows(
          writer,
          fileIdBytes,
          batch.lines.filter((line) => line.lineNumber > resumeAfter),
        );
        for (const reject of batch.rejects) if (reject.lineNumber > resumeAfter) rejects.push(reject);
      }
      return rowsRead >= rowsPerBatch ? take() : null;
    },
    finish: take,
  };
}
