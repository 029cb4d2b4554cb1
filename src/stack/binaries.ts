import { spawn } from 'node:child_process';
import { access, constants, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { delimiter, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { loadCacheDir } from '../config.ts';
import type { Logger } from '../logger.ts';

export type BinaryName = 'temporal' | 'minio';

type BinarySpec = { envOverride: string; module: string };

/**
 * temporal is pinned: later CLI tags carry a `replace` directive, which `go install pkg@version`
 * refuses. MinIO publishes no community binaries any more, so building from source is the way.
 */
const BINARIES: Record<BinaryName, BinarySpec> = {
  temporal: { envOverride: 'PIPEFORGE_TEMPORAL_BIN', module: 'github.com/temporalio/cli/cmd/temporal@v1.5.1' },
  minio: { envOverride: 'PIPEFORGE_MINIO_BIN', module: 'github.com/minio/minio@latest' },
};

const OUTPUT_TAIL_LINES = 40;

export function cacheDir(): string {
  return loadCacheDir();
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function isOnPath(command: string): Promise<boolean> {
  const dirs = (process.env['PATH'] ?? '').split(delimiter).filter((dir) => dir !== '');
  for (const dir of dirs) {
    if (await isExecutable(join(dir, command))) return true;
  }
  return false;
}

function goMissing(name: BinaryName): Error {
  const { module, envOverride } = BINARIES[name];
  return new Error(
    `Go is needed to build ${name} once (go install ${module}), but \`go\` is not on PATH. ` +
      `Install Go (https://go.dev/dl/) or point ${envOverride} at an existing ${name} binary.`,
  );
}

export async function ensureBinary(name: BinaryName, logger: Logger): Promise<string> {
  const spec = BINARIES[name];
  const override = process.env[spec.envOverride];
  if (override) {
    const path = resolve(override);
    if (!(await isExecutable(path))) throw new Error(`${spec.envOverride}=${override} is not an executable file`);
    return path;
  }

  const binDir = join(cacheDir(), 'bin');
  const target = join(binDir, name);
  if (await isExecutable(target)) return target;

  if (!(await isOnPath('go'))) throw goMissing(name);
  await mkdir(binDir, { recursive: true });
  // Same filesystem as the target, so the final rename is atomic: a concurrent build or a crash
  // mid-build can never leave a half-written binary at the cached path.
  const gobin = await mkdtemp(join(cacheDir(), `build-${name}-`));
  logger.info(
    { binary: name, module: spec.module, target },
    `building ${name} with go install; the first build takes several minutes, later runs reuse it`,
  );
  const startedAt = Date.now();
  try {
    await goInstall(name, spec.module, gobin, logger);
    await rename(join(gobin, name), target);
  } finally {
    await rm(gobin, { recursive: true, force: true });
  }
  logger.info({ binary: name, target, seconds: Math.round((Date.now() - startedAt) / 1000) }, `${name} built`);
  return target;
}

function goInstall(name: BinaryName, module: string, gobin: string, logger: Logger): Promise<void> {
  const tail: string[] = [];
  const remember = (line: string): void => {
    tail.push(line);
    if (tail.length > OUTPUT_TAIL_LINES) tail.shift();
    logger.debug({ binary: name, go: line }, 'go install output');
  };
  return new Promise((resolvePromise, reject) => {
    const child = spawn('go', ['install', module], {
      env: { ...process.env, GOBIN: gobin },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    createInterface({ input: child.stdout }).on('line', remember);
    createInterface({ input: child.stderr }).on('line', remember);
    child.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'ENOENT' ? goMissing(name) : error));
    child.once('close', (code, signal) => {
      if (code === 0) {
        resolvePromise();
        return;
      }
      const status = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      reject(new Error(`go install ${module} ${status}:\n${tail.join('\n')}`));
    });
  });
}
