import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Context } from '@temporalio/activity';
import { Worker } from '@temporalio/worker';
import { NativeConnection } from '@temporalio/worker';
import { sql } from 'slonik';
import { z } from 'zod';
import { createActivities } from '../../src/activities/index.ts';
import { awaitIngestion } from '../../src/client/await-ingestion.ts';
import { cancelCommand } from '../../src/client/commands/cancel.ts';
import { retryCommand } from '../../src/client/commands/retry.ts';
import { sha256File, submitFile } from '../../src/client/submit-file.ts';
import { loadTemporalConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { generateOrderLines } from '../../src/sample/generate-order-lines.ts';
import { IngestSearchAttributes, type IngestSummary, ingestWorkflowId } from '../../src/workflows/ingest-file-contract.ts';
import { uploadKey } from '../../src/storage/object-keys.ts';
import { startPipelineHarness, type PipelineHarness } from '../support/pipeline-harness.ts';
import { requireTestEnv, TEST_ENV_KEYS } from '../support/test-env.ts';

/**
 * Retry and cancel through the CLI commands against the real stack. Cancellation is made
 * deterministic by a test worker whose parse (or load) does the real work and then waits, heart-
 * beating, until the cancel reaches it: the workflow, the cleanup activity and the database are real.
 */

const HEADER = 'order_ref,order_date,customer_email,customer_region,sku,product_name,category,quantity,unit_price,payment_method';
const logger = createLogger('warn', { component: 'test' });

let harness: PipelineHarness;
let workDir: string;
let gatedConnection: NativeConnection;
let gatedWorker: Worker;
let gatedRun: Promise<void>;
const gatedQueue = `${Math.random().toString(16).slice(2)}-gated`;
let gate: 'parse' | 'load' = 'parse';
/** Each file waits once: the workflow's own later calls (e.g. re-reading a committed load) run through. */
const gated = new Set<string>();
const waitsOnce = (stage: 'parse' | 'load', fileId: string) => gate === stage && !gated.has(`${stage}:${fileId}`) && gated.add(`${stage}:${fileId}`);

beforeAll(async () => {
  harness = await startPipelineHarness({ maxRejectRatio: 0 });
  workDir = await mkdtemp(join(tmpdir(), 'pipeforge-retry-cancel-'));
  const real = createActivities({ pool: harness.pool, databaseUrl: harness.databaseUrl, store: harness.store, pipeline: { ...harness.pipeline, maxRejectRatio: 0.5 }, logger });
  const waitForCancel = async () => {
    const context = Context.current();
    for (;;) {
      context.heartbeat();
      await context.sleep(200); // rejects with CancelledFailure once the cancel arrives
    }
  };
  gatedConnection = await NativeConnection.connect({ address: loadTemporalConfig().address });
  gatedWorker = await Worker.create({
    connection: gatedConnection,
    namespace: loadTemporalConfig().namespace,
    taskQueue: gatedQueue,
    workflowBundle: { codePath: requireTestEnv(TEST_ENV_KEYS.workflowBundle) },
    // Heartbeats reach the server at once, so a cancel reaches the activity without a long throttle.
    maxHeartbeatThrottleInterval: '200 milliseconds',
    activities: {
      ...real,
      async parseToStaging(input: Parameters<typeof real.parseToStaging>[0]) {
        const result = await real.parseToStaging(input);
        if (waitsOnce('parse', input.fileId)) await waitForCancel();
        return result;
      },
      async loadFromStaging(input: Parameters<typeof real.loadFromStaging>[0]) {
        const result = await real.loadFromStaging(input);
        if (waitsOnce('load', input.fileId)) await waitForCancel();
        return result;
      },
    },
  });
  gatedRun = gatedWorker.run();
});

afterAll(async () => {
  gatedWorker?.shutdown();
  await gatedRun;
  await gatedConnection?.close();
  await harness?.stop();
  await rm(workDir, { recursive: true, force: true });
});

async function generated(name: string, rows: number, seed: number, badLines = 0): Promise<string> {
  const chunks: string[] = [];
  for await (const chunk of generateOrderLines({ rows, seed, days: 5 })) chunks.push(String(chunk));
  let text = chunks.join('');
  for (let i = 0; i < badLines; i += 1) text += `BAD-${seed}-${i},not-a-date,x@example.com,,SKU-X,X,Y,1,1.00,card\n`;
  const path = join(workDir, name);
  await writeFile(path, text);
  return path;
}

/** Runs a CLI command in-process and returns its exit code and what it printed on stdout. */
async function runCli(command: (args: string[], l: typeof logger) => Promise<number>, args: string[]) {
  const printed: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed.push(String(chunk));
    return true;
  });
  try {
    const code = await command(args, logger);
    return { code, stdout: printed.join('') };
  } finally {
    spy.mockRestore();
  }
}

const fileRow = z.object({ status: z.string(), loaded: z.boolean() });
const countRow = z.object({ files: z.number(), staged: z.number(), rejects: z.number(), orders: z.number() });

async function traces(contentHash: string) {
  return harness.pool.one(sql.type(countRow)`
    select
      (select count(*)::int from ingestion_files where content_hash = ${contentHash}) as files,
      (select count(*)::int from staging_order_lines s join ingestion_files f on f.id = s.ingestion_file_id
        where f.content_hash = ${contentHash}) as staged,
      (select count(*)::int from ingestion_rejects r join ingestion_files f on f.id = r.ingestion_file_id
        where f.content_hash = ${contentHash}) as rejects,
      (select count(*)::int from orders o join ingestion_files f on f.id = o.ingestion_file_id
        where f.content_hash = ${contentHash}) as orders`);
}

async function waitForStage(workflowId: string, stage: string): Promise<void> {
  const handle = harness.client.workflow.getHandle(workflowId);
  for (;;) {
    const progress = await handle.query<{ stage: string }>('progress').catch(() => null);
    if (progress?.stage === stage) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('pipeforge cancel', () => {
  it('removes staging rows, rejects and the file row of an ingestion cancelled before its load', async () => {
    gate = 'parse';
    const path = await generated('cancel-me.csv', 400, 71, 2);
    const submitted = await submitFile({ client: harness.client, store: harness.store, taskQueue: gatedQueue }, path);
    await waitForStage(submitted.workflowId, 'parse');
    // The parse has written staging rows and rejects by the time it waits for the cancel.
    for (;;) {
      const seen = await traces(submitted.contentHash);
      if (seen.staged > 0 && seen.rejects > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const { code, stdout } = await runCli(cancelCommand, [submitted.workflowId, '--json']);
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as IngestSummary).status).toBe('cancelled');
    expect(await traces(submitted.contentHash)).toEqual({ files: 0, staged: 0, rejects: 0, orders: 0 });
    const description = await submitted.handle.describe();
    expect(description.status.name).toBe('CANCELLED');
    expect(description.typedSearchAttributes.get(IngestSearchAttributes.ingestStatus)).toBe('cancelled');
  });

  it('finishes the file instead when its load had already committed', async () => {
    gate = 'load';
    const path = await generated('too-late.csv', 300, 72);
    const submitted = await submitFile({ client: harness.client, store: harness.store, taskQueue: gatedQueue }, path);
    await waitForStage(submitted.workflowId, 'load');
    for (;;) {
      const row = await harness.pool.maybeOne(sql.type(fileRow)`
        select status, loaded_at is not null as loaded from ingestion_files where content_hash = ${submitted.contentHash}`);
      if (row?.loaded) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const { code, stdout } = await runCli(cancelCommand, [submitted.workflowId]);
    expect(code).toBe(1);
    expect(stdout).toContain('its load had already committed, so it was finished instead of cancelled');
    const summary = await awaitIngestion(submitted.handle);
    expect(summary.status).toBe('completed');
    expect(summary.rowsLoaded).toBe(300);
    const row = await harness.pool.one(sql.type(fileRow)`
      select status, loaded_at is not null as loaded from ingestion_files where content_hash = ${submitted.contentHash}`);
    expect(row).toEqual({ status: 'completed', loaded: true });
    expect((await submitted.handle.describe()).typedSearchAttributes.get(IngestSearchAttributes.ingestStatus)).toBe('completed');
  });

  it('refuses to cancel what is not running', async () => {
    const done = await harness.ingest(await generated('done.csv', 50, 73));
    expect(done.status).toBe('completed');
    const { code } = await runCli(cancelCommand, [done.workflowId]);
    expect(code).toBe(1);
  });
});

describe('pipeforge retry', () => {
  let previousQueue: string | undefined;
  beforeAll(() => {
    previousQueue = process.env.TEMPORAL_TASK_QUEUE;
    process.env.TEMPORAL_TASK_QUEUE = harness.taskQueue;
  });
  afterAll(() => {
    process.env.TEMPORAL_TASK_QUEUE = previousQueue;
  });

  it('runs the same object again once the cause of the failure is fixed', async () => {
    harness.pipeline.maxRejectRatio = 0;
    const path = await generated('strict.csv', 200, 74, 1);
    const failed = await harness.ingest(path);
    expect(failed.status).toBe('failed');

    // The fix: a reject ratio that tolerates the one bad line (as an operator would set it).
    harness.pipeline.maxRejectRatio = 0.05;
    const { code, stdout } = await runCli(retryCommand, [failed.workflowId, '--wait', '--json']);
    expect(code).toBe(0);
    const summary = JSON.parse(stdout.slice(stdout.indexOf('{'))) as IngestSummary;
    expect(summary).toMatchObject({ status: 'completed', fileId: failed.fileId, rowsRead: 201, rowsRejected: 1 });
    const handle = harness.client.workflow.getHandle(failed.workflowId);
    expect((await handle.describe()).status.name).toBe('COMPLETED');
  });

  it('ingests the new content as a new file when the object was replaced, keeping the failed record', async () => {
    harness.pipeline.maxRejectRatio = 0;
    const badPath = await generated('replaced.csv', 100, 75, 1);
    const failed = await harness.ingest(badPath);
    expect(failed.status).toBe('failed');
    const badHash = await sha256File(badPath);

    const goodPath = await generated('replacement.csv', 120, 76);
    await harness.store.uploadFile(uploadKey(badHash, 'replaced.csv'), goodPath);
    const goodHash = await sha256File(goodPath);
    const { code, stdout } = await runCli(retryCommand, [badHash, '--wait', '--json']);
    expect(code).toBe(0);
    const summary = JSON.parse(stdout.slice(stdout.indexOf('{'))) as IngestSummary;
    expect(summary.status).toBe('completed');
    expect(summary.rowsLoaded).toBe(120);
    expect((await harness.client.workflow.getHandle(ingestWorkflowId(goodHash)).describe()).status.name).toBe('COMPLETED');
    const old = await harness.pool.one(sql.type(fileRow)`
      select status, loaded_at is not null as loaded from ingestion_files where content_hash = ${badHash}`);
    expect(old).toEqual({ status: 'failed', loaded: false });
  });

  it('refuses to retry a completed file', async () => {
    const done = await harness.ingest(await generated('fine.csv', 40, 77));
    expect(done.status).toBe('completed');
    const { code } = await runCli(retryCommand, [done.workflowId]);
    expect(code).toBe(1);
  });
});
