import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WorkflowFailedError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { z } from 'zod';
import { startAggregation } from '../../src/client/start-aggregation.ts';
import { formatBytes } from '../../src/client/number-format.ts';
import { sql } from '../../src/db/sql.ts';
import { generateOrderLines } from '../../src/sample/generate-order-lines.ts';
import { IngestSearchAttributes, type IngestSummary } from '../../src/workflows/ingest-file-contract.ts';
import { ORDER_LINES_HEADER, orderLineRows } from '../support/order-line-rows.ts';
import { startPipelineHarness, type PipelineHarness } from '../support/pipeline-harness.ts';

/**
 * What a person sees of PipeForge in the Temporal Web UI, read through the client's describe and
 * the UI's own HTTP API on the dev server: each workflow's summary and details, its current
 * details and its activities' summaries; and what a reset from the UI does to a completed and to a
 * failed file, done through the same reset call the UI makes.
 */

const EventType = temporal.api.enums.v1.EventType;

let harness: PipelineHarness;
let workDir: string;
let ui: string;
const tag = Math.random().toString(16).slice(2, 10);
const row = orderLineRows('2026-11-03');

beforeAll(async () => {
  harness = await startPipelineHarness();
  workDir = await mkdtemp(join(tmpdir(), 'pipeforge-web-ui-'));
  ui = process.env.TEMPORAL_UI_URL ?? '';
});

afterAll(async () => {
  await harness?.stop();
  await rm(workDir, { recursive: true, force: true });
});

async function generatedFile(name: string, rows: number, seed: number): Promise<string> {
  const chunks: string[] = [];
  for await (const chunk of generateOrderLines({ rows, seed, days: 3 })) chunks.push(String(chunk));
  const path = join(workDir, name);
  await writeFile(path, chunks.join(''));
  return path;
}

type Payload = { metadata?: { encoding?: string }; data?: string };

/** A payload as the UI's HTTP API sends it: base64 JSON. */
function decoded(payload: Payload | undefined): unknown {
  if (payload?.data === undefined) return undefined;
  return JSON.parse(Buffer.from(payload.data, 'base64').toString('utf8'));
}

async function uiGet(path: string): Promise<unknown> {
  const response = await fetch(`${ui}/api/v1/namespaces/default/${path}`);
  expect(response.status).toBe(200);
  return response.json();
}

async function currentDetails(workflowId: string): Promise<string> {
  const metadata = await harness.client.workflow
    .getHandle(workflowId)
    .query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  return metadata.currentDetails ?? '';
}

/** Reset to the first workflow task, as the Web UI's "Reset" does; returns the new run's id. */
async function resetFromUi(workflowId: string): Promise<string> {
  const handle = harness.client.workflow.getHandle(workflowId);
  const { runId } = await handle.describe();
  const history = await handle.fetchHistory();
  const firstTask = (history.events ?? []).find((event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
  if (!firstTask?.eventId) throw new Error(`${workflowId} has no completed workflow task to reset to`);
  const reset = await harness.client.workflowService.resetWorkflowExecution({
    namespace: 'default',
    workflowExecution: { workflowId, runId },
    workflowTaskFinishEventId: firstTask.eventId,
    reason: 'reset from the Web UI',
    requestId: randomUUID(),
  });
  return reset.runId;
}

async function resultOf(workflowId: string, runId: string): Promise<IngestSummary> {
  const handle = harness.client.workflow.getHandle(workflowId, runId);
  try {
    return (await handle.result()) as IngestSummary;
  } catch (error) {
    if (error instanceof WorkflowFailedError && error.cause && 'details' in error.cause) {
      return (error.cause.details as IngestSummary[])[0] as IngestSummary;
    }
    throw error;
  }
}

async function searchAttributesOf(workflowId: string) {
  const attributes = (await harness.client.workflow.getHandle(workflowId).describe()).typedSearchAttributes;
  return {
    status: attributes.get(IngestSearchAttributes.ingestStatus),
    fileId: attributes.get(IngestSearchAttributes.ingestionFileId),
    rowsRead: attributes.get(IngestSearchAttributes.rowsRead),
    rowsLoaded: attributes.get(IngestSearchAttributes.rowsLoaded),
    rowsRejected: attributes.get(IngestSearchAttributes.rowsRejected),
  };
}

/** Visibility is eventually consistent: ask until the expected runs show up (or the test times out). */
async function listRunIds(query: string, expected: number): Promise<string[]> {
  for (;;) {
    const ids: string[] = [];
    for await (const execution of harness.client.workflow.list({ query })) ids.push(execution.runId);
    if (ids.length >= expected) return ids.sort();
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const fileRow = z.object({ status: z.string(), rows: z.coerce.number() });

async function fileState(fileId: string): Promise<z.infer<typeof fileRow>> {
  return harness.pool.one(sql.type(fileRow)`
    select status, (select count(*) from order_items i join orders o on o.id = i.order_id where o.ingestion_file_id = f.id) as rows
    from ingestion_files f where id = ${fileId}`);
}

describe('the Web UI metadata of an ingestion', () => {
  let path: string;
  let filename: string;
  let ingested: Awaited<ReturnType<PipelineHarness['ingest']>>;

  beforeAll(async () => {
    filename = `orders-nov-${tag}.csv`;
    // A seed no other test file uses: they share one Temporal server, where equal content is one workflow id.
    path = await generatedFile('metadata.csv', 120, 131);
    ingested = await harness.ingest(path, filename);
  });

  it("names the file and its size in the summary, and its object, hash and starter in the details (client's describe)", async () => {
    expect(ingested.status).toBe('completed');
    const description = await harness.client.workflow.getHandle(ingested.workflowId).describe();
    const size = (await stat(path)).size;
    expect(await description.staticSummary()).toBe(`${filename} · ${formatBytes(size)}`);
    const details = await description.staticDetails();
    expect(details).toContain(`**${filename}**`);
    expect(details).toContain(`- Object: \`${ingested.objectKey}\``);
    expect(details).toContain(`- Content hash (sha256): \`${ingested.workflowId.slice('ingest-'.length)}\``);
    expect(details).toMatch(/- Started by: `pipeforge`/);
  });

  it("shows the same summary and details through the Web UI's HTTP API", async () => {
    const description = await harness.client.workflow.getHandle(ingested.workflowId).describe();
    const body = (await uiGet(`workflows/${ingested.workflowId}`)) as {
      executionConfig?: { userMetadata?: { summary?: Payload; details?: Payload } };
    };
    expect(decoded(body.executionConfig?.userMetadata?.summary)).toBe(await description.staticSummary());
    expect(decoded(body.executionConfig?.userMetadata?.details)).toBe(await description.staticDetails());
  });

  it('says in its current details what happened, with the counts and the command to see more', async () => {
    const details = await currentDetails(ingested.workflowId);
    expect(details.split('\n')[0]).toBe(
      `${filename}: ${ingested.rowsRead} rows, ${ingested.rowsRejected} rejected, completed`,
    );
    expect(details).toContain(`- Rows loaded: ${ingested.rowsLoaded}`);
    expect(details).toContain(`- Days aggregated: ${ingested.aggregatedDays}`);
    expect(details).toContain(`\`pipeforge status ${ingested.fileId}\``);
  });

  it("names what each activity did on the timeline, in the Web UI's history", async () => {
    const body = (await uiGet(`workflows/${ingested.workflowId}/history`)) as {
      history?: { events?: Array<{ eventType?: string; userMetadata?: { summary?: Payload } }> };
    };
    const summaries = (body.history?.events ?? [])
      .filter((event) => event.eventType === 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED')
      .map((event) => decoded(event.userMetadata?.summary));
    expect(summaries).toEqual([
      `${filename}: hash the stored bytes and claim the content`,
      `${filename}: parse and validate every line into staging`,
      `${filename}: load the staged rows into orders`,
      `${filename}: recompute the daily sales of its days`,
      `${filename}: record the file as completed`,
    ]);
  });

  it('summarises a recomputation by its range and days', async () => {
    const handle = await startAggregation(harness.client, harness.taskQueue, { from: '2026-11-01', to: '2026-11-03' });
    await handle.result();
    const description = await handle.describe();
    expect(await description.staticSummary()).toBe('sales aggregates 2026-11-01..2026-11-03 · 3 days');
    expect(await currentDetails(handle.workflowId)).toBe('Sales aggregates 2026-11-01..2026-11-03: 3 of 3 days recomputed, completed');
  });
});

describe('a reset from the Web UI', () => {
  it('of a completed file reports its original summary again and leaves its search attributes and rows as they were', async () => {
    const original = await harness.ingest(await generatedFile('reset-completed.csv', 90, 47), `reset-completed-${tag}.csv`);
    expect(original.status).toBe('completed');
    const before = await searchAttributesOf(original.workflowId);
    const rowsBefore = await fileState(original.fileId);

    const runId = await resetFromUi(original.workflowId);
    const { workflowId: _workflowId, objectKey: _objectKey, ...summary } = original;
    expect(await resultOf(original.workflowId, runId)).toEqual(summary);
    expect(summary).toMatchObject({ status: 'completed', duplicateOf: null });

    expect(await searchAttributesOf(original.workflowId)).toEqual(before);
    expect(before).toMatchObject({ status: 'completed', fileId: original.fileId, rowsLoaded: original.rowsLoaded });
    // Both runs stay listed as completed: the one reset and the one the reset started.
    const query = `IngestStatus = "completed" AND IngestionFileId = "${original.fileId}"`;
    expect(await listRunIds(query, 2)).toContain(runId);
    expect(await fileState(original.fileId)).toEqual(rowsBefore);
    expect((await currentDetails(original.workflowId)).split('\n')[0]).toBe(
      `reset-completed-${tag}.csv: ${original.rowsRead} rows, ${original.rowsRejected} rejected, completed`,
    );
  });

  it('of a file refused for its reject ratio, once the ratio was raised, ingests the file', async () => {
    const good = Array.from({ length: 18 }, (_, index) => row({ ref: `RST-${tag}-${index}` }));
    const bad = [row({ ref: `RST-${tag}-B1`, quantity: '0' }), row({ ref: `RST-${tag}-B2`, price: 'x' })];
    const path = join(workDir, 'reset-failed.csv');
    await writeFile(path, `${[ORDER_LINES_HEADER, ...good, ...bad].join('\n')}\n`);
    const failed = await harness.ingest(path, `reset-failed-${tag}.csv`);
    expect(failed).toMatchObject({ status: 'failed', rowsRead: 20, rowsRejected: 2, rowsLoaded: 0 });
    expect(failed.error).toContain(`Run \`pipeforge rejects ${failed.fileId}\` to see why.`);

    // What an operator does: PIPEFORGE_MAX_REJECT_RATIO raised for the worker (which reads it per file).
    const ratio = harness.pipeline.maxRejectRatio;
    harness.pipeline.maxRejectRatio = 0.5;
    try {
      const runId = await resetFromUi(failed.workflowId);
      expect(await resultOf(failed.workflowId, runId)).toMatchObject({
        fileId: failed.fileId,
        status: 'completed',
        rowsRead: 20,
        rowsRejected: 2,
        rowsLoaded: 18,
        duplicateOf: null,
        error: null,
      });
    } finally {
      harness.pipeline.maxRejectRatio = ratio;
    }
    expect(await searchAttributesOf(failed.workflowId)).toMatchObject({ status: 'completed', rowsLoaded: 18, rowsRejected: 2 });
    expect(await fileState(failed.fileId)).toEqual({ status: 'completed', rows: 18 });
  });

  it('still reports a later submission of the same content as a duplicate', async () => {
    const path = await generatedFile('resubmitted.csv', 60, 53);
    const first = await harness.ingest(path, `resubmitted-${tag}.csv`);
    const again = await harness.ingest(path, `resubmitted-again-${tag}.csv`);
    expect(first.status).toBe('completed');
    expect(again).toMatchObject({ status: 'duplicate', duplicateOf: first.fileId, rowsLoaded: 0 });
  });
});
