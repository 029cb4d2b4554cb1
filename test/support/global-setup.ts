import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCacheDir } from '../../src/config.ts';
import { migrate } from '../../src/db/migrate.ts';
import { createDatabasePool } from '../../src/db/pool.ts';
import { createLogger } from '../../src/logger.ts';
import { createDatabase } from '../../src/stack/databases.ts';
import { startLocalStack, type LocalStack } from '../../src/stack/local-stack.ts';
import { ensureWorkflowBundle } from '../../src/worker/workflow-bundle.ts';
import { TEMPLATE_DATABASE, TEST_ENV_KEYS } from './test-env.ts';

declare global {
  var pipeforgeTestStack: LocalStack | undefined;
}

/**
 * Starts the real local stack once for all integration tests: a migrated template database that
 * each test file clones, and the workflow bundle built once for every test worker.
 */
export default async function globalSetup(): Promise<void> {
  const logger = createLogger('warn', { component: 'test-stack' });
  const dataDir = await mkdtemp(join(tmpdir(), 'pipeforge-test-'));
  const stack = await startLocalStack({ dataDir, fresh: true, logger });
  globalThis.pipeforgeTestStack = stack;

  await createDatabase(stack.adminDatabaseUrl, TEMPLATE_DATABASE);
  const templateUrl = new URL(stack.env.DATABASE_URL);
  templateUrl.pathname = `/${TEMPLATE_DATABASE}`;
  const pool = await createDatabasePool({ url: templateUrl.toString(), poolSize: 1 });
  try {
    await migrate(pool, logger);
  } finally {
    await pool.end();
  }

  // The worker's own cache: a run after an unchanged checkout skips webpack altogether.
  const { codePath: bundlePath } = await ensureWorkflowBundle({ cacheDir: loadCacheDir(), logger });

  Object.assign(process.env, stack.env, {
    [TEST_ENV_KEYS.adminDatabaseUrl]: stack.adminDatabaseUrl,
    [TEST_ENV_KEYS.workflowBundle]: bundlePath,
    [TEST_ENV_KEYS.dataDir]: dataDir,
  });
}
