import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from '@temporalio/client';
import { awaitIngestion } from '../../src/client/await-ingestion.ts';
import { submitFile } from '../../src/client/submit-file.ts';
import { connectClient } from '../../src/client/temporal-client.ts';
import { loadStorageConfig, loadTemporalConfig } from '../../src/config.ts';
import { generateOrderLines } from '../../src/sample/generate-order-lines.ts';
import type { IngestSummary } from '../../src/workflows/ingest-file-contract.ts';
import { createDatabase, dropDatabase } from '../../src/stack/databases.ts';
import { createObjectStore } from '../../src/storage/object-store.ts';
import { requireTestEnv, TEMPLATE_DATABASE, TEST_ENV_KEYS } from '../support/test-env.ts';

/**
 * The worker as deployed (`node src/worker.ts`, configured by the environment) with its metrics
 * endpoint on: after one ingestion, /metrics carries PipeForge's counters and Temporal's worker
 * metrics, /healthz and /readyz answer, and its log lines carry the workflow and file ids.
 */

const WORKER = fileURLToPath(new URL('../../src/worker.ts', import.meta.url));
const suffix = randomBytes(4).toString('hex');
const databaseName = `test_metrics_${suffix}`;
const taskQueue = `test-metrics-${suffix}`;

let worker: ChildProcess;
let workerExit: Promise<number | null>;
let logLines: string[] = [];
let client: Client;
let workDir: string;
let port: number;
let summary: IngestSummary;

/** A port whose successor is free too: Temporal's own exporter binds port + 1. */
async function freePortPair(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const nextFree = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port + 1, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (port < 65_000 && nextFree) return port;
  }
}

async function get(path: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, text: await response.text() };
}

/** The worker bundles its workflows at start; ask until it answers ready. */
async function waitUntilReady(): Promise<void> {
  for (;;) {
    if (worker.exitCode !== null) throw new Error(`worker exited with ${worker.exitCode}:\n${logLines.join('\n')}`);
    const ready = await get('/readyz').catch(() => null);
    if (ready?.status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function metricValue(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

beforeAll(async () => {
  const adminUrl = requireTestEnv(TEST_ENV_KEYS.adminDatabaseUrl);
  await createDatabase(adminUrl, databaseName, TEMPLATE_DATABASE);
  const databaseUrl = new URL(requireTestEnv('DATABASE_URL'));
  databaseUrl.pathname = `/${databaseName}`;
  port = await freePortPair();
  workDir = await mkdtemp(join(tmpdir(), 'pipeforge-metrics-'));

  worker = spawn(process.execPath, [WORKER], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl.toString(),
      TEMPORAL_TASK_QUEUE: taskQueue,
      PIPEFORGE_METRICS_PORT: String(port),
      PIPEFORGE_DB_POOL_SIZE: '3',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const collect = (chunk: Buffer) => logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
  worker.stdout?.on('data', collect);
  worker.stderr?.on('data', collect);
  workerExit = new Promise((resolve) => worker.on('exit', (code) => resolve(code)));
  await waitUntilReady();

  client = await connectClient({ ...loadTemporalConfig(), taskQueue });
  const chunks: string[] = [];
  for await (const chunk of generateOrderLines({ rows: 250, seed: 61, days: 4 })) chunks.push(String(chunk));
  const path = join(workDir, 'metrics.csv');
  await writeFile(path, `${chunks.join('')}BAD-1,not-a-date,x@example.com,,SKU-X,X,Y,1,1.00,card\n`);
  const store = createObjectStore(loadStorageConfig());
  const submitted = await submitFile({ client, store, taskQueue }, path);
  summary = await awaitIngestion(submitted.handle);
});

afterAll(async () => {
  if (worker && worker.exitCode === null) {
    worker.kill('SIGTERM');
    await workerExit;
  }
  await client?.connection.close();
  await dropDatabase(requireTestEnv(TEST_ENV_KEYS.adminDatabaseUrl), databaseName);
  await rm(workDir, { recursive: true, force: true });
  logLines = [];
});

describe('worker observability', () => {
  it('counts rows and files on /metrics after an ingestion', async () => {
    expect(summary).toMatchObject({ status: 'completed', rowsRead: 251, rowsLoaded: 250, rowsRejected: 1 });
    const { status, text } = await get('/metrics');
    expect(status).toBe(200);
    expect(metricValue(text, 'pipeforge_rows_loaded_total')).toBe(250);
    expect(metricValue(text, 'pipeforge_rows_read_total')).toBe(251);
    expect(metricValue(text, 'pipeforge_rows_rejected_total')).toBe(1);
    expect(metricValue(text, 'pipeforge_files_total{status="completed"}')).toBe(1);
    for (const stage of ['hash-dedupe', 'parse', 'load', 'aggregate']) {
      expect(metricValue(text, `pipeforge_stage_duration_seconds_count{stage="${stage}",outcome="ok"}`)).toBe(1);
    }
  });

  it("serves Temporal's worker metrics on the same endpoint", async () => {
    const { text } = await get('/metrics');
    expect(text).toMatch(/^temporal_[a-z_]+\{[^}]*task_queue="[^"]*"/m);
    expect(text).toContain(taskQueue);
  });

  it('answers /healthz and /readyz with every dependency checked', async () => {
    expect((await get('/healthz')).status).toBe(200);
    const ready = await get('/readyz');
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.text)).toEqual({ ready: true, checks: { worker: true, database: true, objectStore: true } });
    expect((await get('/nope')).status).toBe(404);
  });

  it('logs each stage with the workflow id, the file id and the stage', () => {
    const parsed = logLines
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((entry) => entry.msg === 'parsed file');
    expect(parsed).toMatchObject({
      workflowId: expect.stringMatching(/^ingest-[0-9a-f]{64}$/),
      activity: 'parseToStaging',
      fileId: summary.fileId,
      stage: 'parse',
    });
  });
});
