import { createPool, type DatabasePool } from 'slonik';
import type { DatabaseConfig } from '../config.ts';

export type { DatabasePool };

/**
 * Values cross into JavaScript as exact strings where a number type would lose meaning: money stays
 * a decimal string (never a float), dates stay 'YYYY-MM-DD' (no time zone to misapply), instants
 * become ISO strings, and counts (bigint) become numbers, which they always fit.
 */
const typeParsers = [
  { name: 'numeric', parse: (value: string) => value },
  { name: 'date', parse: (value: string) => value },
  { name: 'timestamptz', parse: (value: string) => new Date(value).toISOString() },
  { name: 'int8', parse: (value: string) => Number.parseInt(value, 10) },
];

export async function createDatabasePool(config: DatabaseConfig): Promise<DatabasePool> {
  return createPool(config.url, {
    maximumPoolSize: config.poolSize,
    typeParsers,
    // Loads of large files run for minutes; the activity's own timeouts bound them instead.
    statementTimeout: 'DISABLE_TIMEOUT',
    idleInTransactionSessionTimeout: 60_000,
    connectionTimeout: 10_000,
    // Deadlocks and serialization failures are retried by slonik, then by the activity.
    transactionRetryLimit: 3,
  });
}
