/**
 * The contract of RevertFileWorkflow, shared by the workflow, its activity, the worker and the CLI:
 * input, result, progress query and failure type. Workflow code imports this module, so it may
 * depend only on deterministic, sandbox-safe packages.
 */
import { defineQuery } from '@temporalio/workflow';

/** One revert per file: asking twice while it runs follows the same execution. */
export function revertWorkflowId(fileId: string): string {
  return `revert-${fileId}`;
}

export type RevertFileInput = {
  fileId: string;
  /** Why, as the person who asked gave it; recorded with the file. */
  reason: string | null;
};

export type RevertStage = 'queued' | 'revert' | 'aggregate' | 'done';

/** The `IngestStatus` search attribute of a revert: `reverting`, then `reverted`. */
export type RevertStatus = 'reverting' | 'reverted';

/** What a revert changes: counts only, never row data. */
export type RevertCounts = {
  ordersRestored: number;
  ordersDeleted: number;
  /** The file's orders a later file had replaced since: they stay as that file left them. */
  ordersUnchanged: number;
  customersRemoved: number;
  productsRemoved: number;
  /** Business days whose rollup the revert changes, all recomputed by its aggregate stage. */
  daysAffected: number;
};

export type RevertProgress = { stage: RevertStage; fileId: string; daysAggregated: number };

export type RevertSummary = RevertCounts & {
  fileId: string;
  status: 'reverted';
  /** False when the file had been reverted before: this run changed nothing and reports that revert. */
  revertedNow: boolean;
  revertedAt: string;
  reason: string | null;
  /** Business days whose rollup was recomputed. */
  daysAggregated: number;
};

export const revertProgressQuery = defineQuery<RevertProgress>('progress');

/** A revert that cannot be done as asked (unknown file, not loaded, past retention): never retried. */
export const RevertFailureTypes = { refused: 'RevertRefused' } as const;
