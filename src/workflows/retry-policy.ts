import type { RetryPolicy } from '@temporalio/common';

/**
 * Infrastructure trouble (PostgreSQL, MinIO, the network) is retried with backoff for about half
 * an hour before a stage is declared failed. Shared by every workflow so that an outage is
 * ridden out the same way by ingestions and backfills.
 */
export const INFRASTRUCTURE_RETRY: RetryPolicy = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '1 minute',
  maximumAttempts: 30,
};

/** Bookkeeping that must eventually happen (one-row updates): the same backoff, without a limit. */
export const UNLIMITED_RETRY: RetryPolicy = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '1 minute',
};
