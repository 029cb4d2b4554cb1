import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../logger.ts';
import { workflowBundleKey, type WorkflowBundleInputs } from './workflow-bundle-key.ts';

const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SOURCE_DIR = fileURLToPath(new URL('../', import.meta.url));
const BUILD_ENTRY = fileURLToPath(new URL('./workflow-bundle-build.ts', import.meta.url));

/** Bundles not used for this long are deleted when a new one is written, so edits do not pile up. */
const UNUSED_BUNDLE_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;
const OUTPUT_TAIL_LINES = 40;
/** Sources edited during every one of these builds mean someone is editing now: better to stop. */
const MAX_BUILD_ATTEMPTS = 3;

export type WorkflowBundleOptions = {
  /** PipeForge's cache directory (see loadCacheDir): the bundles live in its `workflow-bundles/`. */
  cacheDir: string;
  logger: Logger;
};

/**
 * The path of the workflows' webpack bundle, built on first use by a short-lived child process and
 * cached outside the repo under a key of its sources. Bundling inside the worker would leave
 * webpack's memory peak in the worker's peak resident set for good.
 */
export async function ensureWorkflowBundle({ cacheDir, logger }: WorkflowBundleOptions): Promise<{ codePath: string }> {
  const inputs: WorkflowBundleInputs = { projectRoot: PROJECT_ROOT, sourceDir: SOURCE_DIR, workflowsPath: WORKFLOWS_PATH };
  const dir = join(cacheDir, 'workflow-bundles');
  for (let attempt = 1; ; attempt++) {
    const key = await workflowBundleKey(inputs);
    const codePath = join(dir, `${key}.js`);
    if (await markUsed(codePath)) return { codePath };
    const tempPath = await buildToTempFile(dir, key, logger);
    try {
      // A source edited while webpack ran may or may not be in the code: such a bundle is cached
      // under no key, and the loop builds again from the sources as they are now.
      if ((await workflowBundleKey(inputs)) === key) {
        // Same directory as the target, so the rename is atomic: a crash or a concurrent build
        // never leaves a half-written bundle at the cached path, and two builders write the same code.
        await rename(tempPath, codePath);
        await pruneUnused(dir, codePath, logger);
        return { codePath };
      }
    } finally {
      await rm(tempPath, { force: true });
    }
    if (attempt === MAX_BUILD_ATTEMPTS) {
      throw new Error(`the sources under ${SOURCE_DIR} kept changing while the workflow bundle was built`);
    }
    logger.info({ attempt }, 'the sources changed while the workflow bundle was built; building it again');
  }
}

async function buildToTempFile(dir: string, key: string, logger: Logger): Promise<string> {
  await mkdir(dir, { recursive: true });
  const tempPath = join(dir, `${key}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  const startedAt = Date.now();
  logger.info({ dir, key }, 'building the workflow bundle in a child process; later starts reuse it');
  try {
    await buildInChild(tempPath, logger);
  } catch (error) {
    await rm(tempPath, { force: true });
    throw error;
  }
  logger.info({ key, ms: Date.now() - startedAt }, 'workflow bundle built');
  return tempPath;
}

/**
 * True when the bundle exists. Its mtime then records the use, which keeps it from pruning; a
 * cache the worker may read but not write (prebuilt into an image) still serves.
 */
async function markUsed(path: string): Promise<boolean> {
  try {
    await access(path, constants.R_OK);
  } catch {
    return false;
  }
  const now = new Date();
  await utimes(path, now, now).catch(() => undefined);
  return true;
}

function buildInChild(outputPath: string, logger: Logger): Promise<void> {
  const tail: string[] = [];
  const remember = (line: string): void => {
    if (line.trim() === '') return;
    tail.push(line);
    if (tail.length > OUTPUT_TAIL_LINES) tail.shift();
  };
  return new Promise((resolvePromise, reject) => {
    // Without the worker's execArgv: its V8 limits are sized for the worker, not for webpack.
    const child = spawn(process.execPath, [BUILD_ENTRY, WORKFLOWS_PATH, outputPath], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    createInterface({ input: child.stdout }).on('line', remember);
    createInterface({ input: child.stderr }).on('line', remember);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) {
        if (tail.length > 0) logger.warn({ output: tail.join('\n') }, 'the workflow bundler reported warnings');
        resolvePromise();
        return;
      }
      const status = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      reject(new Error(`building the workflow bundle ${status}:\n${tail.join('\n')}`));
    });
  });
}

/** Best effort: a bundle another process is about to load was used recently and stays. */
async function pruneUnused(dir: string, keep: string, logger: Logger): Promise<void> {
  const cutoff = Date.now() - UNUSED_BUNDLE_MAX_AGE_MS;
  try {
    for (const name of await readdir(dir)) {
      const path = join(dir, name);
      if (path === keep) continue;
      if ((await stat(path)).mtimeMs < cutoff) await rm(path, { force: true });
    }
  } catch (error) {
    logger.debug({ err: error, dir }, 'could not prune old workflow bundles');
  }
}
