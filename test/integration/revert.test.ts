import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WorkflowFailedError } from '@temporalio/client';
import { sql } from 'slonik';
import { z } from 'zod';
import { ORDER_LINES_HEADER } from '../support/order-line-rows.ts';
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
    expect(await contractTables(reverted.pool)).not.toEqual(await contractTables(fresh.pool));

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
});
