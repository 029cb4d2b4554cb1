import type { OrderLineBatch, RowReject } from '../domain/csv-order-lines.ts';
import { stagingCopyText } from '../db/staging-copy.ts';

/**
 * A batch of parsed lines in the shape the staging write takes: its lines already as COPY text,
 * so a batch parsed off the main thread crosses to it as one string rather than as objects.
 */
export type StageBatch = {
  copyText: string;
  rejects: RowReject[];
  /** Data rows read for this batch, valid or not. */
  rowsRead: number;
  lastLineNumber: number;
  /** Every row of the batch lies at or before the resume point: an earlier attempt wrote it. */
  alreadyWritten: boolean;
};

/** Drops what an earlier attempt wrote (lines up to `resumeAfter`) and renders the rest for COPY. */
export function toStageBatch(fileId: string, batch: OrderLineBatch, resumeAfter: number): StageBatch {
  const { rowsRead, lastLineNumber } = batch;
  if (lastLineNumber <= resumeAfter) return { copyText: '', rejects: [], rowsRead, lastLineNumber, alreadyWritten: true };
  const fresh = batch.lines.filter((line) => line.lineNumber > resumeAfter);
  const rejects = batch.rejects.filter((reject) => reject.lineNumber > resumeAfter);
  return { copyText: stagingCopyText(fileId, fresh), rejects, rowsRead, lastLineNumber, alreadyWritten: false };
}
