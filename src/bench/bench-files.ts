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

/** The generator's default end: the first files' orders are on the days before it. */
export const FIRST_FILES_END = '2026-11-01';
/** Orders of the days after the first files' last: a second file adds them, replacing none. */
export const SECOND_FILE_DAYS = 90;
export const SECOND_FILE_END = addDays(FIRST_FILES_END, SECOND_FILE_DAYS);

/** 'YYYY-MM-DD' plus whole days, in UTC as the generator reads its dates. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** A big file loaded first: 90 days of orders, as DESIGN.md's costs were measured on. */
export function firstFileSpec(rows: number): BenchFileSpec {
  return { rows, seed: 1, days: 90, refPrefix: `BIG${rows}` };
}

/**
 * The next export after a first file of the same size: new orders on the next 90 days. The
 * generator draws customers and products from pools sized by the line count alone, so the same
 * size gives the same customers (and regions) and the same products (names, prices).
 */
export function secondFileSpec(rows: number): BenchFileSpec {
  return { rows, seed: 11, days: SECOND_FILE_DAYS, endDate: SECOND_FILE_END, refPrefix: `NEXT${rows}` };
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
