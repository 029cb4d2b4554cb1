import type { PipelineConfig } from '../config.ts';
import type { DatabasePool } from '../db/pool.ts';
import type { Logger } from '../logger.ts';
import type { ParseThreadPool } from '../parse-threads/thread-pool.ts';
import type { ObjectStore } from '../storage/object-store.ts';

/** What activities need from the outside world, injected so tests can hand in their own. */
export type ActivityDeps = {
  pool: DatabasePool;
  /** For COPY, which the pool cannot do (see db/copy-connection.ts). */
  databaseUrl: string;
  store: ObjectStore;
  pipeline: PipelineConfig;
  logger: Logger;
};

/** The parse activities also read on the worker's parse threads. */
export type ParseDeps = ActivityDeps & { parseThreads: ParseThreadPool };
