import { rm } from 'node:fs/promises';
import { TEST_ENV_KEYS } from './test-env.ts';

export default async function globalTeardown(): Promise<void> {
  await globalThis.pipeforgeTestStack?.stop();
  globalThis.pipeforgeTestStack = undefined;
  const dataDir = process.env[TEST_ENV_KEYS.dataDir];
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}
