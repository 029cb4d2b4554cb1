import { createHash, type Hash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';

/** Bump when the way bundles are built changes (bundler options, the build entry): old ones then miss. */
const BUNDLE_FORMAT = '1';

/** The packages whose code goes into the bundle or makes it: the workflow runtime and the bundler. */
const BUNDLE_PACKAGES = ['@temporalio/workflow', '@temporalio/worker'];

/**
 * npm's record of the installed tree (node_modules/.package-lock.json, present in the image too,
 * which ships no package-lock.json) and the lockfile: every package the bundle pulls in, at its
 * version.
 */
const LOCKFILES = ['node_modules/.package-lock.json', 'package-lock.json'];

export type WorkflowBundleInputs = {
  projectRoot: string;
  /** Every file under it is hashed. */
  sourceDir: string;
  workflowsPath: string;
};

/**
 * Names a bundle by everything that can change its code, so a changed workflow never runs a stale
 * bundle. All of src/ is hashed, not just the workflows' own imports: finding those would take a
 * TypeScript parser (type-only imports must not count), and a missed import would mean a stale
 * bundle. The price is a rebuild (a few seconds, in a child process) after any source edit.
 * The workflows' absolute path is in too: the bundle's source map names files by absolute path.
 */
export async function workflowBundleKey(inputs: WorkflowBundleInputs): Promise<string> {
  const hash = createHash('sha256');
  addField(hash, 'format', BUNDLE_FORMAT);
  addField(hash, 'workflows', inputs.workflowsPath);
  // Resolved from here, as the bundler (src/worker/workflow-bundle-build.ts) resolves them.
  const require = createRequire(import.meta.url);
  for (const name of BUNDLE_PACKAGES) {
    const manifest = JSON.parse(await readFile(require.resolve(`${name}/package.json`), 'utf8')) as { version?: unknown };
    addField(hash, name, String(manifest.version));
  }
  for (const lockfile of LOCKFILES) {
    addField(hash, lockfile, (await readIfPresent(join(inputs.projectRoot, lockfile))) ?? '(absent)');
  }
  for (const path of await filesUnder(inputs.sourceDir)) {
    addField(hash, relative(inputs.projectRoot, path), await readFile(path));
  }
  return hash.digest('hex').slice(0, 32);
}

/** Length-prefixed, so no two different sets of fields can hash the same byte stream. */
function addField(hash: Hash, name: string, value: string | Buffer): void {
  const bytes = typeof value === 'string' ? Buffer.from(value) : value;
  hash.update(`${name}\0${bytes.length}\0`);
  hash.update(bytes);
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
