import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MockActivityEnvironment } from '@temporalio/testing';
import { z } from 'zod';
import { createActivities } from '../../src/activities/index.ts';
import { sha256File } from '../../src/client/submit-file.ts';
import { sql } from '../../src/db/sql.ts';
import { groupStagedOrders, holdStagingOrdersLock } from '../../src/db/staging-orders.ts';
import { createLogger } from '../../src/logger.ts';
import { uploadKey } from '../../src/storage/object-keys.ts';
import { writeGeneratedFile } from '../support/generated-file.ts';
import { startPipelineHarness, type PipelineHarness } from '../support/pipeline-harness.ts';

/**
 * A finished load empties staging with TRUNCATE when it holds no other file's lines, and deletes
 * only its own lines otherwise: another file's staged lines always stay, and so does a lock held
 * by another session, which the load does not wait for. The orders a load groups from the lines
 * (staging_orders) go the same way, and a grouping never outlives its file's load.
 */
const logger = createLogger('warn', { test: 'staging-cleanup' });
const countRow = z.object({ count: z.number() });
const filenodeRow = z.object({ filenode: z.string() });

let harness: PipelineHarness;
let workDir: string;
const files: string[] = [];

beforeAll(async () => {
  harness = await startPipelineHarness();
  workDir = await mkdtemp(join(tmpdir(), 'pipeforge-staging-cleanup-'));
  for (const [index, seed] of [71, 72, 73, 74, 75, 76].entries()) {
    files.push(await writeGeneratedFile(join(workDir, `f${index}.csv`), { rows: 400, seed, days: 3, orderPrefix: `SC${index}-` }));
  }
});

afterAll(async () => {
  await harness?.stop();
  await rm(workDir, { recursive: true, force: true });
});

const run = <A extends unknown[], R>(activity: (...args: A) => Promise<R>, ...args: A) =>
  new MockActivityEnvironment().run(activity, ...args) as Promise<R>;

async function hashAndParse(path: string): Promise<string> {
  const activities = createActivities({ ...harness, logger });
  const filename = path.split('/').at(-1) ?? 'file.csv';
  const contentHash = await sha256File(path);
  const objectKey = uploadKey(contentHash, filename);
  await harness.store.uploadFile(objectKey, path);
  const { fileId } = await run(activities.hashAndClaim, { objectKey, filename, contentHash });
  await run(activities.parseToStaging, { fileId, objectKey, filename });
  return fileId;
}

const load = (fileId: string) => run(createActivities({ ...harness, logger }).loadFromStaging, { fileId });

const stagedOf = (fileId: string) =>
  harness.pool.oneFirst(sql.type(countRow)`select count(*) as count from staging_order_lines where ingestion_file_id = ${fileId}`);
const groupedOf = (fileId: string) =>
  harness.pool.oneFirst(sql.type(countRow)`select count(*) as count from staging_orders where ingestion_file_id = ${fileId}`);
const ordersOfLines = (fileId: string) =>
  harness.pool.oneFirst(sql.type(countRow)`
    select count(distinct order_ref) as count from staging_order_lines where ingestion_file_id = ${fileId}`);
const stagingFilenode = () =>
  harness.pool.oneFirst(sql.type(filenodeRow)`select pg_relation_filenode('staging_order_lines')::text as filenode`);

describe('staging after a load', () => {
  it('is truncated when the file was the only one staged', async () => {
    const fileId = await hashAndParse(files[0]!);
    expect(await stagedOf(fileId)).toBe(400);
    const before = await stagingFilenode();
    await load(fileId);
    expect(await stagedOf(fileId)).toBe(0);
    expect(await groupedOf(fileId)).toBe(0);
    // TRUNCATE gives the table a new file; a DELETE would leave the old one with dead rows.
    expect(await stagingFilenode()).not.toBe(before);
  });

  it('keeps the lines of another staged file', async () => {
    const [loaded, waiting] = [await hashAndParse(files[1]!), await hashAndParse(files[2]!)];
    const before = await stagingFilenode();
    await load(loaded);
    expect(await stagedOf(loaded)).toBe(0);
    expect(await stagedOf(waiting)).toBe(400);
    expect(await stagingFilenode()).toBe(before);
    await load(waiting);
    expect(await stagedOf(waiting)).toBe(0);
  });

  it('does not wait for a lock another session holds on staging', async () => {
    const fileId = await hashAndParse(files[3]!);
    const before = await stagingFilenode();
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked: () => void = () => {};
    const lockTaken = new Promise<void>((resolve) => (locked = resolve));
    const holder = harness.pool.transaction(async (tx) => {
      await tx.query(sql.typeAlias('void')`lock table staging_order_lines in row exclusive mode`);
      locked();
      await held;
    });
    await lockTaken;
    try {
      await load(fileId);
    } finally {
      release();
      await holder;
    }
    expect(await stagedOf(fileId)).toBe(0);
    expect(await stagingFilenode()).toBe(before);
  });
});

describe('the orders grouped from staged lines', () => {
  it('are one row per order, grouped again on every call, and kept for another file', async () => {
    const [grouped, loaded] = [await hashAndParse(files[4]!), await hashAndParse(files[5]!)];
    const orders = await ordersOfLines(grouped);
    expect(orders).toBeGreaterThan(0);
    await groupStagedOrders(harness.pool, grouped);
    await groupStagedOrders(harness.pool, grouped);
    expect(await groupedOf(grouped)).toBe(orders);
    await load(loaded);
    expect(await groupedOf(loaded)).toBe(0);
    expect(await groupedOf(grouped)).toBe(orders);
    await load(grouped);
    expect(await groupedOf(grouped)).toBe(0);
    // Once the file is loaded a late grouping writes nothing: its lines are gone, and so would be
    // anything it wrote.
    await groupStagedOrders(harness.pool, grouped);
    expect(await groupedOf(grouped)).toBe(0);
  });

  it('waits for a clearing of the same file and then leaves the loaded file alone', async () => {
    const path = await writeGeneratedFile(join(workDir, 'late-grouping.csv'), { rows: 300, seed: 77, days: 2, orderPrefix: 'SCL-' });
    const fileId = await hashAndParse(path);
    let locked: () => void = () => {};
    const lockTaken = new Promise<void>((resolve) => (locked = resolve));
    // A finished load's last transaction, holding the lock while it stamps the file. The lines are
    // left staged: a grouping that ran meanwhile, or ignored the stamp, would find them.
    const finishing = harness.pool.transaction(async (tx) => {
      await holdStagingOrdersLock(tx, fileId);
      locked();
      await new Promise((resolve) => setTimeout(resolve, 300));
      await tx.query(sql.typeAlias('void')`update ingestion_files set loaded_at = now() where id = ${fileId}`);
    });
    await lockTaken;
    await Promise.all([finishing, groupStagedOrders(harness.pool, fileId)]);
    expect(await groupedOf(fileId)).toBe(0);
  });
});
