import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from 'slonik';
import { z } from 'zod';
import { awaitSubmitted, submitFile } from '../../src/client/submit-file.ts';
import { startPipelineHarness, type PipelineHarness } from '../support/pipeline-harness.ts';
import { contractTables, REVERT_PIPELINE, runRevert, writeScenarioFiles } from '../support/revert-scenario.ts';
import { waitFor } from '../support/wait-for.ts';

/**
 * A revert of B while C loads, forced into the interleaving a lock order could get wrong: C's
 * first transaction has committed and one of its chunks holds an order B stored (B-2) when the
 * revert starts. The revert waits for that chunk, runs before C's last transaction, and the end
 * state is what loading A then C gives.
 */

let harness: PipelineHarness;
let fresh: PipelineHarness;
let workDir: string;
let files: { a: string; b: string; c: string };

beforeAll(async () => {
  [harness, fresh] = await Promise.all([startPipelineHarness(REVERT_PIPELINE), startPipelineHarness(REVERT_PIPELINE)]);
  workDir = await mkdtemp(join(tmpdir(), 'pipeforge-revert-concurrent-'));
  files = await writeScenarioFiles(workDir);
});

afterAll(async () => {
  await Promise.all([harness?.stop(), fresh?.stop()]);
  await rm(workDir, { recursive: true, force: true });
});

const waiting = z.object({ waiting: z.boolean() });

/** Whether a backend of this database waits on a lock in a statement matching the pattern. */
async function waitsOnLock(pattern: string): Promise<true | undefined> {
  const { waiting: found } = await harness.pool.one(sql.type(waiting)`
    select exists (
      select 1 from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock' and query ~* ${pattern}
    ) as waiting`);
  return found ? true : undefined;
}

describe('a revert while another file loads', () => {
  it('serialises with the load and leaves what A then C gives', async () => {
    await harness.ingest(files.a);
    const b = await harness.ingest(files.b);
    await fresh.ingest(files.a);
    await fresh.ingest(files.c);

    // bob's row held FOR UPDATE: C's first transaction does not need it (his region stays), but
    // the chunk of C that replaces B-2 (bob's order) stops on it with B-2 locked.
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let holding = (): void => undefined;
    const held = new Promise<void>((resolve) => {
      holding = resolve;
    });
    const holder = harness.pool.transaction(async (tx) => {
      await tx.query(sql.unsafe`
        select 1 from customers where email_hash = (
          select c.email_hash from customers c join orders o on o.customer_id = c.id where o.order_ref = 'B-2')
        for update`);
      holding();
      await released;
    });
    await held;

    const loading = submitFile({ client: harness.client, store: harness.store, taskQueue: harness.taskQueue }, files.c).then(awaitSubmitted);
    await waitFor(() => waitsOnLock('for key share'), { what: "C's chunk waiting on bob", timeoutMs: 60_000, intervalMs: 50 });
    const reverting = runRevert(harness.client, harness.taskQueue, b.fileId);
    await waitFor(() => waitsOnLock('ingestion_file_id = .* for update'), { what: 'the revert waiting on B-2', timeoutMs: 60_000, intervalMs: 50 });
    release();
    await holder;

    const [loaded, reverted] = await Promise.all([loading, reverting]);
    expect(loaded.status).toBe('completed');
    // B-2 was C's by the time the revert read it: only B-1 goes, and B's B-2 leaves C's version alone.
    expect(reverted).toMatchObject({ revertedNow: true, ordersDeleted: 1 });
    expect(reverted.ordersUnchanged).toBeGreaterThanOrEqual(1);
    expect(await contractTables(harness.pool)).toEqual(await contractTables(fresh.pool));
  });
});
