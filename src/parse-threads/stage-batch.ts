import type { OrderLineBatch, RowReject } from '../domain/csv-order-lines.ts';
import { stagingCopyText } from '../db/staging-copy.ts';

/**
 * A batch of parsed lines in the shape the staging write takes: its lines already as the UTF-8
 * bytes of COPY text, in a buffer of their own, so a batch parsed off the main thread is moved to
 * it rather than copied, and the main thread hands the bytes to the socket as they are.
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

export type StageBatcher = {
  /** Takes the reader's next batch; returns a stage batch once at least `rowsPerBatch` rows are in. */
  add(batch: OrderLineBatch): StageBatch | null;
  /** What is left after the reader's last batch, possibly no rows: the end of the read. */
  finish(): StageBatch;
};

/** The most bytes UTF-8 takes for one UTF-16 code unit: a buffer this much larger than the text always fits it. */
const MAX_UTF8_BYTES_PER_UNIT = 3;
const FIRST_CAPACITY = 64 * 1024;

/**
 * Gathers the reader's batches into stage batches of `rowsPerBatch` rows or more (one COPY each),
 * dropping what an earlier attempt wrote (lines up to `resumeAfter`). The reader's batches are
 * meant to be small: each is rendered as soon as it comes, so its line objects die young, and only
 * bytes outside the JavaScript heap wait for the batch to fill; holding a whole COPY batch of line
 * objects instead made the young generation's collections copy them over and over.
 */
export function createStageBatcher(fileId: string, resumeAfter: number, rowsPerBatch: number): StageBatcher {
  let bytes = Buffer.allocUnsafeSlow(FIRST_CAPACITY);
  let used = 0;
  let rejects: RowReject[] = [];
  let rowsRead = 0;
  let lastLineNumber = resumeAfter;

  const append = (text: string): void => {
    const worstCase = used + text.length * MAX_UTF8_BYTES_PER_UNIT;
    if (worstCase > bytes.length) {
      const larger = Buffer.allocUnsafeSlow(Math.max(bytes.length * 2, worstCase));
      bytes.copy(larger, 0, 0, used);
      bytes = larger;
    }
    used += bytes.write(text, used);
  };
  const take = (): StageBatch => {
    const batch: StageBatch = {
      // A view of its own buffer (allocUnsafeSlow never pools), which the thread can move away whole.
      copyBytes: bytes.subarray(0, used),
      rejects,
      rowsRead,
      lastLineNumber,
      alreadyWritten: lastLineNumber <= resumeAfter,
    };
    // The next batch of a file is about as large as this one.
    bytes = Buffer.allocUnsafeSlow(Math.max(FIRST_CAPACITY, used + (used >> 3)));
    used = 0;
    rejects = [];
    rowsRead = 0;
    return batch;
  };

  return {
    add(batch) {
      rowsRead += batch.rowsRead;
      lastLineNumber = batch.lastLineNumber;
      if (batch.lastLineNumber > resumeAfter) {
        const fresh = batch.lines.filter((line) => line.lineNumber > resumeAfter);
        if (fresh.length > 0) append(stagingCopyText(fileId, fresh));
        for (const reject of batch.rejects) if (reject.lineNumber > resumeAfter) rejects.push(reject);
      }
      return rowsRead >= rowsPerBatch ? take() : null;
    },
    finish: take,
  };
}
