import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { defaultPayloadConverter } from '@temporalio/common';
import { generateOrderLines } from '../../src/sample/generate-order-lines.ts';
import { startPipelineHarness, type PipelineHarness } from '../support/pipeline-harness.ts';

/**
 * The Web UI's search is the operator's view of PipeForge: every ingestion must be findable by its
 * status, name, hash, file id and counts, through the client's list API and the UI's own HTTP API.
 */

let harness: PipelineHarness;
let workDir: string;
let good: Awaited<ReturnType<PipelineHarness['ingest']>>;
let bad: Awaited<ReturnType<PipelineHarness['ingest']>>;
const tag = Math.random().toString(16).slice(2, 10);

beforeAll(async () => {
  harness = await startPipelineHarness();
  workDir = await mkdtemp(join(tmpdir(), 'pipeforge-search-'));
  const chunks: string[] = [];
  for await (const chunk of generateOrderLines({ rows: 150, seed: 91, days: 3 })) chunks.push(String(chunk));
  const goodPath = join(workDir, 'good.csv');
  await writeFile(goodPath, chunks.join(''));
  const badPath = join(workDir, 'bad.csv');
  await writeFile(badPath, `order_ref,order_date\nA-${tag},2026-01-01\n`);
  good = await harness.ingest(goodPath, `good-${tag}.csv`);
  bad = await harness.ingest(badPath, `bad-${tag}.csv`);
});

afterAll(async () => {
  await harness?.stop();
  await rm(workDir, { recursive: true, force: true });
});

/** Visibility is eventually consistent: ask until the expected ids show up (or the test times out). */
async function listIds(query: string, expected: number): Promise<string[]> {
  for (;;) {
    const ids: string[] = [];
    for await (const execution of harness.client.workflow.list({ query })) ids.push(execution.workflowId);
    if (ids.length >= expected) return ids.sort();
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('search attributes', () => {
  it('finds failed and completed ingestions by IngestStatus through the client', async () => {
    const queue = `TaskQueue = "${harness.taskQueue}"`;
    expect(good.status).toBe('completed');
    expect(bad.status).toBe('failed');
    expect(await listIds(`IngestStatus = "failed" AND ${queue}`, 1)).toEqual([bad.workflowId]);
    expect(await listIds(`IngestStatus = "completed" AND ${queue}`, 1)).toEqual([good.workflowId]);
  });

  it('finds an ingestion by file name, file id, content hash and row counts', async () => {
    expect(await listIds(`Filename = "good-${tag}.csv"`, 1)).toEqual([good.workflowId]);
    expect(await listIds(`IngestionFileId = "${good.fileId}"`, 1)).toEqual([good.workflowId]);
    expect(await listIds(`ContentHash = "${good.workflowId.slice('ingest-'.length)}"`, 1)).toEqual([good.workflowId]);
    expect(await listIds(`Filename = "good-${tag}.csv" AND RowsLoaded = ${good.rowsLoaded} AND RowsRejected = 0`, 1)).toEqual([
      good.workflowId,
    ]);
  });

  it('moves IngestStatus through the stages, in order', async () => {
    const history = await harness.client.workflow.getHandle(good.workflowId).fetchHistory();
    const statuses = (history.events ?? []).flatMap((event) => {
      const payload = event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.IngestStatus;
      return payload ? [defaultPayloadConverter.fromPayload<string>(payload)] : [];
    });
    expect(statuses).toEqual(['processing', 'parsing', 'loading', 'aggregating', 'completed']);
  });

  it('answers the same query through the Web UI HTTP API', async () => {
    const ui = process.env.TEMPORAL_UI_URL;
    expect(ui).toBeTruthy();
    const query = `IngestStatus = "failed" AND TaskQueue = "${harness.taskQueue}"`;
    await listIds(query, 1);
    const response = await fetch(`${ui}/api/v1/namespaces/default/workflows?query=${encodeURIComponent(query)}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { executions?: Array<{ execution?: { workflowId?: string } }> };
    expect((body.executions ?? []).map((execution) => execution.execution?.workflowId)).toEqual([bad.workflowId]);
  });
});
