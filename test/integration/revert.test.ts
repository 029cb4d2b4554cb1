import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WorkflowFailedError } from '@temporalio/client';
import { sql } from 'slonik';
import { z } from 'zod';
import { writeGeneratedFile } from '../support/generated-file.ts';
import { ORDER_LINES_HEADER, orderLineRows } from '../support/order-line-rows.ts';
import { previewRevert, revertFile } from '../../src/db/revert-file.ts';
import { startPipelineHarness, type PipelineHarness } from '../support/pipeline-harness.ts';
import { contractTables, REVERT_PIPELINE, runRevert, writeScenarioFiles } from '../support/revert-scenario.ts';

/**
 * Reverting a file leaves every table of the contract as a database that never loaded it: the
 * reverted database is compared on natural keys with fresh ones that loaded only the other files,
 * in the same order.
 */

let reverted: PipelineHarness;
let fresh: PipelineHarness;
let workDir: string;
let files: { a: string; b: string; c: string };
const ids: Record<'a' | 'b' | 'c', string> = { a: '', b: '', c: '' };

beforeAll(async () => {
  [reverted, fresh] = await Promise.all([startPipelineHarness(REVERT_PIPELINE), startPipelineHarness(REVERT_PIPELINE)]);
  workDir = await mkdtemp(join(tmpdir(), 'pipeforge-revert-'));
  files = await writeScenarioFiles(workDir);
});

afterAll(async () => {
  await Promise.all([reverted?.stop(), fresh?.stop()]);
  await rm(workDir, { recursive: true, force: true });
});

const fileRow = z.object({
  status: z.string(),
  revertedAt: z.string().nullable(),
  revertReason: z.string().nullable(),
  rejects: z.number(),
});

async function fileState(harness: PipelineHarness, fileId: string) {
  return harness.pool.one(sql.type(fileRow)`
    select status, reverted_at as "revertedAt", revert_reason as "revertReason",
           (select count(*) from ingestion_rejects r where r.ingestion_file_id = f.id) as rejects
    from ingestion_files f where id = ${fileId}`);
}

async function ingestCompleted(harness: PipelineHarness, path: string): Promise<string> {
  const summary = await harness.ingest(path);
  expect(summary.status).toBe('completed');
  return summary.fileId;
}

describe('pipeforge revert', () => {
  it('reverting B of A, B, C leaves what loading A then C gives', async () => {
    ids.a = await ingestCompleted(reverted, files.a);
    ids.b = await ingestCompleted(reverted, files.b);
    ids.c = await ingestCompleted(reverted, files.c);
    await ingestCompleted(fresh, files.a);
    await ingestCompleted(fresh, files.c);
    const before = await contractTables(reverted.pool);
    expect(before).not.toEqual(await contractTables(fresh.pool));

    // The preview is the revert rolled back: the same counts, nothing changed.
    const preview = await previewRevert(reverted.pool, ids.b, { reason: null, timeZone: 'UTC', retentionDays: null });
    expect(preview).toMatchObject({ revertedNow: true, outcome: { ordersRestored: 2, ordersDeleted: 1, daysAffected: 5 } });
    expect(await contractTables(reverted.pool)).toEqual(before);
    expect((await fileState(reverted, ids.b)).status).toBe('completed');

    const summary = await runRevert(reverted.client, reverted.taskQueue, ids.b);
    expect(summary).toMatchObject({
      fileId: ids.b,
      status: 'reverted',
      revertedNow: true,
      reason: 'wrong export',
      // get A's version back, B-1 only B had, B-2 and A-4 C replaced since.
      ordersRestored: 2,
      ordersDeleted: 1,
      ordersUnchanged: 2,
      customersRemoved: 1,
      productsRemoved: 1,
    });
    // The days B's orders stood on, the days A's come back to, and every day of re-categorised SKU-1.
    expect(summary.daysAffected).toBe(5);
    expect(await contractTables(reverted.pool)).toEqual(await contractTables(fresh.pool));

    const state = await fileState(reverted, ids.b);
    expect(state).toMatchObject({ status: 'reverted', revertReason: 'wrong export', rejects: 1 });
    expect(state.revertedAt).not.toBeNull();
  });

  it('reverting again changes nothing and says so', async () => {
    const before = await contractTables(reverted.pool);
    const again = await runRevert(reverted.client, reverted.taskQueue, ids.b, 'asked twice');
    expect(again).toMatchObject({ revertedNow: false, reason: 'wrong export', ordersRestored: 2, ordersDeleted: 1 });
    expect(await contractTables(reverted.pool)).toEqual(before);
  });

  it("B's content ingested again loads as a new file, as if loaded after A and C", async () => {
    const reloaded = await reverted.ingest(files.b);
    expect(reloaded).toMatchObject({ status: 'completed', duplicateOf: null });
    expect(reloaded.fileId).not.toBe(ids.b);
    await ingestCompleted(fresh, files.b);
    expect(await contractTables(reverted.pool)).toEqual(await contractTables(fresh.pool));
    // The reverted row stays as it was beside the new one.
    expect((await fileState(reverted, ids.b)).status).toBe('reverted');
    const duplicate = await reverted.ingest(files.b);
    expect(duplicate).toMatchObject({ status: 'duplicate', duplicateOf: reloaded.fileId });
  });

  it('a chain of versions: reverting C after B was reloaded leaves what A then B gives', async () => {
    const onlyAB = await startPipelineHarness(REVERT_PIPELINE);
    try {
      await ingestCompleted(onlyAB, files.a);
      await ingestCompleted(onlyAB, files.b);
      const summary = await runRevert(reverted.client, reverted.taskQueue, ids.c);
      expect(summary).toMatchObject({ revertedNow: true, customersRemoved: 1, productsRemoved: 1 });
      expect(await contractTables(reverted.pool)).toEqual(await contractTables(onlyAB.pool));
    } finally {
      await onlyAB.stop();
    }
  });

  it("replays the region rule against the customer's stored orders as each later load saw them", async () => {
    // B moves alice's latest order earlier, so C's region line, older than A's order but newer than
    // what was stored when C loaded, won; D's older line did not. Reverting D must keep C's.
    const [loaded, reference] = await Promise.all([startPipelineHarness(), startPipelineHarness()]);
    try {
      const line = orderLineRows('2026-03-10T10:00:00Z');
      const write = async (name: string, rows: string[]) => {
        const path = join(workDir, name);
        await writeFile(path, `${[ORDER_LINES_HEADER, ...rows].join('\n')}\n`);
        return path;
      };
      const paths = [
        await write('r-a.csv', [line({ ref: 'X', email: 'alice@example.com', region: 'North' })]),
        await write('r-b.csv', [line({ ref: 'X', date: '2026-03-01T10:00:00Z', email: 'alice@example.com', region: 'North' })]),
        await write('r-c.csv', [line({ ref: 'Z', date: '2026-03-05T10:00:00Z', email: 'alice@example.com', region: 'South' })]),
        await write('r-d.csv', [line({ ref: 'W', date: '2026-02-01T10:00:00Z', email: 'alice@example.com', region: 'East' })]),
      ];
      const loadedIds: string[] = [];
      for (const path of paths) loadedIds.push(await ingestCompleted(loaded, path));
      for (const path of paths.slice(0, 3)) await ingestCompleted(reference, path);
      await runRevert(loaded.client, loaded.taskQueue, loadedIds[3] ?? '');
      const tables = await contractTables(loaded.pool);
      expect(tables.customers).toEqual([expect.stringContaining('|South|')]);
      expect(tables).toEqual(await contractTables(reference.pool));
    } finally {
      await Promise.all([loaded.stop(), reference.stop()]);
    }
  });

  it.each([0, 1, 2])('generated files that share orders, customers and products: reverting file %i of 3', async (reverted) => {
    const [loaded, reference] = await Promise.all([startPipelineHarness(), startPipelineHarness()]);
    try {
      // The same order refs in all three, so each file replaces most of the one before.
      const paths = await Promise.all(
        [3_000, 2_000, 1_000].map((rows, index) =>
          writeGeneratedFile(join(workDir, `g${index}.csv`), { rows, seed: 11 + index, days: 20 }),
        ),
      );
      const generatedIds: string[] = [];
      for (const path of paths) generatedIds.push(await ingestCompleted(loaded, path));
      for (const path of paths.filter((_, index) => index !== reverted)) await ingestCompleted(reference, path);
      const summary = await runRevert(loaded.client, loaded.taskQueue, generatedIds[reverted] ?? '');
      expect(summary.revertedNow).toBe(true);
      expect(await contractTables(loaded.pool)).toEqual(await contractTables(reference.pool));
    } finally {
      await Promise.all([loaded.stop(), reference.stop()]);
    }
  });

  it('refuses an unknown file and one that is not loaded, changing nothing', async () => {
    const unknown = '00000000-0000-4000-8000-00000000abcd';
    await expect(runRevert(reverted.client, reverted.taskQueue, unknown)).rejects.toThrow(WorkflowFailedError);
    const failure = await runRevert(reverted.client, reverted.taskQueue, unknown).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect(String((failure as WorkflowFailedError).cause?.message)).toContain(`no ingestion file has the id ${unknown}`);

    const failedPath = join(workDir, 'all-bad.csv');
    await writeFile(failedPath, `${ORDER_LINES_HEADER}\nX-1,2026-03-01T10:00:00Z,x@example.com,,SKU-1,W,T,none,1.00,card\n`);
    const failed = await reverted.ingest(failedPath);
    expect(failed.status).toBe('failed');
    const before = await contractTables(reverted.pool);
    const refused = await runRevert(reverted.client, reverted.taskQueue, failed.fileId).catch((error: unknown) => error);
    expect(String((refused as WorkflowFailedError).cause?.message)).toContain(`file ${failed.fileId} is failed`);
    expect(await contractTables(reverted.pool)).toEqual(before);
    expect((await fileState(reverted, failed.fileId)).status).toBe('failed');
  });

  it('refuses a file loaded longer ago than PIPEFORGE_REVERT_RETENTION_DAYS', async () => {
    await reverted.pool.query(sql.unsafe`update ingestion_files set loaded_at = now() - interval '3 days' where id = ${ids.a}`);
    const before = await contractTables(reverted.pool);
    const options = { reason: null, timeZone: 'UTC', retentionDays: 2 };
    await expect(revertFile(reverted.pool, ids.a, options)).rejects.toThrow(/PIPEFORGE_REVERT_RETENTION_DAYS allows/);
    expect(await contractTables(reverted.pool)).toEqual(before);
    expect((await fileState(reverted, ids.a)).status).toBe('completed');
    // Within the limit it reverts.
    const within = await revertFile(reverted.pool, ids.a, { ...options, retentionDays: 4 });
    expect(within.revertedNow).toBe(true);
  });
});
