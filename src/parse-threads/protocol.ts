import type { StagingWriter } from '../db/staging-copy.ts';
import type { RangeStart } from '../domain/csv-order-lines.ts';
import type { ByteRange } from '../storage/object-store.ts';
import type { StagedBatch } from './stage-batch.ts';

/**
 * Where a job's bytes are: one part of a stored object, or the whole of it (inflated when it is
 * gzip-compressed). The thread reads them itself, over a link the activity signed (read-source.ts).
 */
export type ParseSource = { signedUrl: string; objectKey: string; byteRange?: ByteRange | undefined };

/** What a parse thread needs to read one file or one part of it. */
export type ParseJob = {
  fileId: string;
  filename: string;
  source: ParseSource;
  sourceTimeZone: string;
  /** The HMAC key of the email hash: stays in this process, crossing only to its own threads. */
  emailHashKey: string;
  /** The thread writes its batches into staging over a COPY connection of its own to this database. */
  databaseUrl: string;
  /** The part of the file's staged lines this job's attempt claimed: each batch is written only while it holds it. */
  stagingWriter: StagingWriter;
  batchSize: number;
  /** Lines up to here were written by an earlier attempt: read, counted, not rendered again. */
  resumeAfter: number;
  range?: RangeStart | undefined;
};

/** A batch in staging, and how many of the stored object's bytes the thread had read by then. */
export type StagedReport = StagedBatch & { bytesRead: number };

/** An error as it crosses back from a thread; the pipeline's own errors keep their fields, to be rebuilt. */
export type ThreadError =
  | { kind: 'invalid-file'; reason: string; filename: string; line: number | undefined }
  | { kind: 'missing-object'; objectKey: string }
  | { kind: 'other'; name: string; message: string; stack: string | undefined };

/** From the activity to its thread. */
export type ToThread =
  | { type: 'start'; job: ParseJob }
  /** The activity recorded one more staged batch (its rejects, then its heartbeat). */
  | { type: 'taken' }
  /** The activity stops reading (its write failed, or it was cancelled). */
  | { type: 'stop' };

/** From a thread to the activity it works for. */
export type FromThread =
  /** A batch is in staging (or was already, from an earlier attempt); its rejects are the activity's to record. */
  | { type: 'staged'; report: StagedReport }
  | { type: 'log'; level: 'info' | 'warn'; details: object; message: string }
  | { type: 'done' }
  | { type: 'failed'; error: ThreadError };
