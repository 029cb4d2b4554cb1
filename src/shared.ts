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
export type IngestStatus = 'processing' | 'completed' | 'failed' | 'duplicate';

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
