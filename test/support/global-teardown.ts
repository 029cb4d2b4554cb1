import { deleteDataDir } from '../../src/stack/data-dir.ts';
import { TEST_ENV_KEYS } from './test-env.ts';

export default async function globalTeardown(): Promise<void> {
  await globalThis.pipeforgeTestStack?.stop();
  globalThis.pipeforgeTestStack = undefined;
  const dataDir = process.env[TEST_ENV_KEYS.dataDir];
  if (dataDir) await deleteDataDir(dataDir);
}
