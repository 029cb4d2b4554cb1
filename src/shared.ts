/**
 * Names and message shapes shared by workflows, activities, the worker and the CLI. Workflow code
 * imports this module, so it may depend only on deterministic, sandbox-safe packages.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery } from '@temporalio/workflow';

export const DEFAULT_TASK_QUEUE = 'pipeforge-ingest';

/** One workflow per distinct content: starting the same bytes twice cannot run two loads. */
export function ingestWorkflowId(contentHash: string): string {
  return `ingest-${contentHash}`;
}

export const FailureTypes = {
  invalidFile: 'InvalidInputFile',
  tooManyRejects: 'TooManyRejectedRows',
  missingObject: 'MissingObject',
} as const;

export const NON_RETRYABLE_FAILURE_TYPES: string[] = Object.values(FailureTypes);

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

export type IngestFileInput = {
  /** Object key in the PipeForge bucket. */
  objectKey: string;
  /** The name the user knows the file by (shown in the UI and `pipeforge files`). */
  filename: string;
  /** sha256 of the content as computed by the uploader; verified against the stored object. */
  contentHash: string;
};

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

export const progressQuery = defineQuery<IngestProgress>('progress');

/** Where the parse stage is, as its activity last heartbeated: lets a client show rows live. */
export type ParseHeartbeatDetails = { lineNumber: number };

/** What the cancel cleanup found: discarded, or the load had already committed (then the file finishes). */
export type DiscardOutcome = { discarded: boolean };

/**
 * The days AggregateSalesWorkflow recomputes: an explicit range of business dates (both included),
 * or the last `lastDays` business dates as of the moment the run starts, which is what a schedule
 * needs (`lastDays: 2` is yesterday and today in `timeZone`). Only date strings cross the boundary.
 */
export type AggregateSalesInput =
  | {
      from: string;
      to: string;
      /** Days per activity call; defaults to 31. */
      batchDays?: number;
      /** Set by continue-as-new: the first date of the range not yet recomputed. */
      resumeAt?: string;
    }
  | { lastDays: number; timeZone: string; batchDays?: number };

export type AggregateSalesProgress = { from: string; to: string; daysDone: number; totalDays: number };
export type AggregateSalesResult = { from: string; to: string; daysAggregated: number };

/** Same name as the ingestion's query: queries are per workflow type, and `progress` is what a user tries. */
export const aggregateProgressQuery = defineQuery<AggregateSalesProgress>('progress');

export const AGGREGATE_SALES_WORKFLOW_TYPE = 'aggregateSalesWorkflow';

/** One backfill per range at a time: starting the same range again attaches to the running one. */
export function aggregateSalesWorkflowId(from: string, to: string): string {
  return `aggregate-sales-${from}-${to}`;
}

/** Scheduled runs get this id plus the server's timestamp suffix. */
export function scheduledAggregationWorkflowId(scheduleName: string): string {
  return `aggregate-sales-scheduled-${scheduleName}`;
}

export const AggregateFailureTypes = { invalidRange: 'InvalidAggregateRange' } as const;

/** Registered on the dev server at start; see README for a production namespace. */
export const SearchAttributes = {
  ingestionFileId: defineSearchAttributeKey('IngestionFileId', SearchAttributeType.KEYWORD),
  filename: defineSearchAttributeKey('Filename', SearchAttributeType.KEYWORD),
  contentHash: defineSearchAttributeKey('ContentHash', SearchAttributeType.KEYWORD),
  ingestStatus: defineSearchAttributeKey('IngestStatus', SearchAttributeType.KEYWORD),
  rowsRead: defineSearchAttributeKey('RowsRead', SearchAttributeType.INT),
  rowsLoaded: defineSearchAttributeKey('RowsLoaded', SearchAttributeType.INT),
  rowsRejected: defineSearchAttributeKey('RowsRejected', SearchAttributeType.INT),
} as const;

/** `temporal server start-dev --search-attribute` arguments and the production registration. */
export const SEARCH_ATTRIBUTE_REGISTRATIONS: ReadonlyArray<{ name: string; type: 'Keyword' | 'Int' }> = [
  { name: 'IngestionFileId', type: 'Keyword' },
  { name: 'Filename', type: 'Keyword' },
  { name: 'ContentHash', type: 'Keyword' },
  { name: 'IngestStatus', type: 'Keyword' },
  { name: 'RowsRead', type: 'Int' },
  { name: 'RowsLoaded', type: 'Int' },
  { name: 'RowsRejected', type: 'Int' },
];
