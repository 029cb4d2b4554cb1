import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { generateOrderLines } from '../sample/generate-order-lines.ts';
import { cacheDir } from '../stack/binaries.ts';

/**
 * One generated input of the bench. Orders are keyed by order_ref, so files that must add orders
 * rather than replace each other's get different prefixes.
 */
export type BenchFileSpec = {
  rows: number;
  seed: number;
  days: number;
  refPrefix: string;
  /** The day after the last day of orders (the generator's default when absent). */
  endDate?: string;
};

/** The cache name says everything the bytes depend on: same name, same content. */
export function benchFileName(spec: BenchFileSpec): string {
  const end = spec.endDate ? `-end${spec.endDate}` : '';
  return `orders-${spec.rows}-seed${spec.seed}-days${spec.days}${end}-${spec.refPrefix}.csv`;
}

export function benchCacheDir(): string {
  return join(cacheDir(), 'bench');
}

/**
 * The file's path, generated on first use: five million lines take a minute to write and the same
 * options always give the same bytes. Written under a temporary name and renamed, so an
 * interrupted run never leaves a truncated file that a later run would trust.
 */
export async function ensureBenchFile(spec: BenchFileSpec, onGenerate?: (path: string) => void): Promise<string> {
  const dir = benchCacheDir();
  const path = join(dir, benchFileName(spec));
  if (existsSync(path)) return path;
  await mkdir(dir, { recursive: true });
  onGenerate?.(path);
  const partial = `${path}.${process.pid}.partial`;
  try {
    await pipeline(generateOrderLines(spec), createWriteStream(partial));
    await rename(partial, path);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  return path;
}
