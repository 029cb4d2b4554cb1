/**
 * The contract of IngestFileWorkflow, imported by the workflow, its activities, the worker and the
 * CLI alike: its input, result, progress query, search attributes and failure types. Workflow code
 * imports this module, so it may depend only on deterministic, sandbox-safe packages.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery } from '@temporalio/workflow';
import { attributeRegistrations } from './search-attribute-registrations.ts';

/** One workflow per distinct content: starting the same bytes twice cannot run two loads. */
export function ingestWorkflowId(contentHash: string): string {
  return `ingest-${contentHash}`;
}

export type IngestFileInput = {
  /** Object key in the PipeForge bucket. */
  objectKey: string;
  /** The name the user knows the file by (shown in the UI and `pipeforge files`). */
  filename: string;
  /** sha256 of the content as computed by the uploader; verified against the stored object. */
  contentHash: string;
};

export type IngestStage = 'queued' | 'hash-dedupe' | 'parse' | 'load' | 'aggregate' | 'done';

/**
 * The `IngestStatus` search attribute follows the stage: `processing` (started, hashing and
 * claiming), `parsing`, `loading`, `aggregating`, then one final value: `completed`, `failed`,
 * `duplicate` (the content was ingested before) or `cancelled` (cancelled before its load committed;
 * nothing of it is left in the database). The workflow result's `status` is one of the final values.
 */
export type IngestStatus =
  | 'processing'
  | 'parsing'
  | 'loading'
  | 'aggregating'
  | 'completed'
  | 'failed'
  | 'duplicate'
  | 'cancelled';

export type IngestProgress = {
  stage: IngestStage;
  fileId: string | null;
  rowsRead: number;
  rowsLoaded: number;
  rowsRejected: number;
};

/** The workflow's result: references and counts only, never row data. */
export type IngestSummary = {
  fileId: string;
  filename: string;
  status: IngestStatus;
  rowsRead: number;
  rowsLoaded: number;
  rowsRejected: number;
  /** Set when the content had already been ingested: the id of the file that holds it. */
  duplicateOf: string | null;
  /** Business dates whose aggregates were recomputed. */
  aggregatedDays: number;
  error: string | null;
};

export const ingestProgressQuery = defineQuery<IngestProgress>('progress');

/**
 * Where the parse stage is, as its activity last heartbeated: a retry resumes after `lineNumber`,
 * and a client shows rows and bytes live. The byte counts are absent from details heartbeated
 * before they were added, and from the final one of a file parsed in parts.
 */
export type ParseHeartbeatDetails = {
  lineNumber: number;
  /** Bytes of the stored object read so far by this activity (compressed bytes of a gzip file). */
  bytesRead?: number;
  /** Bytes this activity reads in all: the object's size, or its part's length. */
  totalBytes?: number;
  /** The whole object's size, when the activity reads one part of it. */
  fileBytes?: number;
  /** How many parts the file is parsed in, when the activity reads one of them; absent before it was sent. */
  rangeCount?: number;
};

/** How far the hash stage has read the stored object. */
export type HashHeartbeatDetails = {
  bytesRead: number;
  /** The object's size. */
  totalBytes: number;
};

/**
 * The steps of a load, in order: customers and products (with the plan settled), the chunks' orders
 * and then their order lines, the indexes rebuilt (only when the plan drops them), and the last step.
 */
export type LoadStep = 'prepare' | 'orders' | 'order-lines' | 'indexes' | 'finish';

/**
 * What the load heartbeats: its committed chunks and their rows, and where it is. `step` and
 * `stepsDone` are absent from details heartbeated before they were added.
 */
export type LoadHeartbeatDetails = {
  chunksDone: number;
  rowsLoaded: number;
  /** The step the load is in; while chunks run side by side, the step of the one least far. */
  step?: LoadStep;
  /** Share of the load's work behind it, from 0 to 1, its steps weighted by their usual length. */
  stepsDone?: number;
};

/** What the cancel cleanup found: discarded, or the load had already committed (then the file finishes). */
export type DiscardOutcome = { discarded: boolean };

/**
 * Failure types of bad input: the file cannot be ingested as it is, so the retry policy never
 * retries them and the workflow fails with the reason.
 */
export const IngestFailureTypes = {
  invalidFile: 'InvalidInputFile',
  tooManyRejects: 'TooManyRejectedRows',
  missingObject: 'MissingObject',
} as const;

export const NON_RETRYABLE_INGEST_FAILURE_TYPES: string[] = Object.values(IngestFailureTypes);

/** Registered on the dev server at start; see README for a production namespace. */
export const IngestSearchAttributes = {
  ingestionFileId: defineSearchAttributeKey('IngestionFileId', SearchAttributeType.KEYWORD),
  filename: defineSearchAttributeKey('Filename', SearchAttributeType.KEYWORD),
  contentHash: defineSearchAttributeKey('ContentHash', SearchAttributeType.KEYWORD),
  ingestStatus: defineSearchAttributeKey('IngestStatus', SearchAttributeType.KEYWORD),
  rowsRead: defineSearchAttributeKey('RowsRead', SearchAttributeType.INT),
  rowsLoaded: defineSearchAttributeKey('RowsLoaded', SearchAttributeType.INT),
  rowsRejected: defineSearchAttributeKey('RowsRejected', SearchAttributeType.INT),
} as const;

/** `temporal server start-dev --search-attribute` arguments and the production registration. */
export const SEARCH_ATTRIBUTE_REGISTRATIONS = attributeRegistrations(IngestSearchAttributes);
