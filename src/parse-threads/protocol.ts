import type { RangeStart } from '../domain/csv-order-lines.ts';
import type { StagedBatch } from './stage-batch.ts';

/** What a parse thread needs to read one file or one part of it. */
export type ParseJob = {
  fileId: string;
  filename: string;
  sourceTimeZone: string;
  /** The HMAC key of the email hash: stays in this process, crossing only to its own threads. */
  emailHashKey: string;
  /** The thread writes its batches into staging over a COPY connection of its own to this database. */
  databaseUrl: string;
  batchSize: number;
  /** Lines up to here were written by an earlier attempt: read, counted, not rendered again. */
  resumeAfter: number;
  range?: RangeStart | undefined;
};

/** An error as it crosses back from a thread; InvalidFileError keeps its fields, to be rebuilt. */
export type ThreadError =
  | { kind: 'invalid-file'; reason: string; filename: string; line: number | undefined }
  | { kind: 'other'; name: string; message: string; stack: string | undefined };

/** From the activity to its thread. */
export type ToThread =
  | { type: 'start'; job: ParseJob }
  /** The next bytes of the source, in answer to a pull. */
  | { type: 'bytes'; chunk: Uint8Array }
  | { type: 'end' }
  /** The activity recorded one more staged batch (its rejects, then its heartbeat). */
  | { type: 'taken' }
  /** The activity stops reading (its write failed, its source failed, or it was cancelled). */
  | { type: 'stop' };

/** From a thread to the activity it works for. */
export type FromThread =
  | { type: 'pull' }
  /** A batch is in staging (or was already, from an earlier attempt); its rejects are the activity's to record. */
  | { type: 'staged'; batch: StagedBatch }
  | { type: 'warn'; details: object; message: string }
  | { type: 'done' }
  | { type: 'failed'; error: ThreadError };
