import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadStorageConfig, loadTemporalConfig, type TemporalConfig } from '../config.ts';
import { migrate } from '../db/migrate.ts';
import { createDatabasePool } from '../db/pool.ts';
import type { Logger } from '../logger.ts';
import { deleteDataDir, startLocalStack } from '../stack/local-stack.ts';
import { createObjectStore } from '../storage/object-store.ts';

export type BenchStack = {
  /** What every child process (worker, CLI) gets: the stack's variables and nothing of the caller's setup. */
  childEnv: NodeJS.ProcessEnv;
  databaseUrl: string;
  temporal: TemporalConfig;
  /** The throwaway directory, deleted at stop: where the bench's own scratch files go too. */
  dataDir: string;
  /** Stops the servers and deletes their data; safe to call more than once. */
  stop(): Promise<void>;
};

/**
 * Temporal, MinIO and PostgreSQL on free loopback ports in a throwaway directory, migrated and
 * with the bucket in place: every run starts from the same empty state, and a `pipeforge dev`
 * running beside it is neither used nor disturbed.
 */
export async function startBenchStack(logger: Logger): Promise<BenchStack> {
  const root = await mkdtemp(join(tmpdir(), 'pipeforge-bench-'));
  const removeRoot = () => deleteDataDir(root);
  const stack = await startLocalStack({ dataDir: root, fresh: true, logger }).catch(async (error: unknown) => {
    await removeRoot();
    throw error;
  });
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= stack.stop().finally(removeRoot);
    return stopping;
  };
  try {
    const pool = await createDatabasePool({ url: stack.env.DATABASE_URL, poolSize: 2 });
    try {
      await migrate(pool, logger);
    } finally {
      await pool.end();
    }
    await createObjectStore(loadStorageConfig(stack.env)).ensureBucket();
    return {
      childEnv: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        // A home with no dev.env: the CLI must not pick up the variables a `pipeforge dev` elsewhere wrote.
        PIPEFORGE_HOME: join(root, 'cli-home'),
        ...stack.env,
      },
      databaseUrl: stack.env.DATABASE_URL,
      temporal: loadTemporalConfig(stack.env),
      dataDir: root,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
