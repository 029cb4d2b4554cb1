/**
 * `npm run record-histories [-- --label NAME]`: runs each kind of workflow execution for real (the
 * real activities, against the local stack started as jest's global setup starts it) and writes
 * each run's history to test/replay/histories/<label>-<scenario>.json, for the replay test.
 *
 * Files of released code are never replaced: the replay test guards exactly the histories that
 * workers in the field may have to continue. A recording refuses to overwrite, and the label
 * (by default the package version) keeps a new recording beside the old ones.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import { startAggregation } from '../../src/client/start-aggregation.ts';
import { submitFile } from '../../src/client/submit-file.ts';
import { aggregateSalesWorkflow } from '../../src/workflows/aggregate-sales.ts';
import { revertFileWorkflow } from '../../src/workflows/revert-file.ts';
import { revertWorkflowId } from '../../src/workflows/revert-file-contract.ts';
import globalSetup from './global-setup.ts';
import globalTeardown from './global-teardown.ts';
import { writeGeneratedFile } from './generated-file.ts';
import { historyToJson } from './history-json.ts';
import { startGatedWorker, type GatedWorker } from './gated-worker.ts';
import { startPipelineHarness, type PipelineHarness } from './pipeline-harness.ts';
import { installQuietTemporalRuntime } from './workflow-test-env.ts';

const HISTORIES_DIR = new URL('../replay/histories/', import.meta.url);
const HEADER = 'order_ref,order_date,customer_email,customer_region,sku,product_name,category,quantity,unit_price,payment_method';

type Recorded = { scenario: string; workflowId: string; runId: string };

type Context = { harness: PipelineHarness; gated: GatedWorker; workDir: string };

/** Each scenario runs one execution (or chain of runs) to its end and names the runs to keep. */
const SCENARIOS: Array<(context: Context) => Promise<Recorded[]>> = [
  async ({ harness, workDir }) => {
    const path = await writeGeneratedFile(join(workDir, 'orders.csv'), { rows: 400, seed: 5, days: 20, endDate: '2026-10-21' });
    const completed = await harness.ingest(path);
    expectStatus('completed', completed.status);
    const first = await latestRun(harness.client, 'ingest-completed', completed.workflowId);
    // The same bytes again, after the first run finished: a new run of the same id, a duplicate.
    const duplicate = await harness.ingest(path, 'orders-again.csv');
    expectStatus('duplicate', duplicate.status);
    return [first, await latestRun(harness.client, 'ingest-duplicate', duplicate.workflowId)];
  },
  async ({ harness, workDir }) => {
    const good = Array.from({ length: 20 }, (_, i) => `RJ-${i},2026-10-02T10:00:00Z,buyer${i % 4}@example.com,Nairobi,SKU-1,Tea,Cat,1,10.00,mpesa`);
    const bad = Array.from({ length: 10 }, (_, i) => `RJ-BAD-${i},not-a-date,buyer@example.com,Nairobi,SKU-1,Tea,Cat,1,10.00,mpesa`);
    const path = join(workDir, 'too-many-rejects.csv');
    await writeFile(path, `${[HEADER, ...good, ...bad].join('\n')}\n`);
    const failed = await harness.ingest(path);
    expectStatus('failed', failed.status);
    return [await latestRun(harness.client, 'ingest-too-many-rejects', failed.workflowId)];
  },
  async ({ harness, workDir }) => {
    const path = join(workDir, 'invalid-header.csv');
    await writeFile(path, 'order_ref,order_date\nIV-1,2026-10-02\n');
    const failed = await harness.ingest(path);
    expectStatus('failed', failed.status);
    return [await latestRun(harness.client, 'ingest-invalid-file', failed.workflowId)];
  },
  async ({ harness, gated, workDir }) => {
    const path = await writeGeneratedFile(join(workDir, 'cancelled.csv'), { rows: 200, seed: 6, days: 5, refPrefix: 'CX' });
    const workflowId = await runCancelled(harness, gated, 'parse', path);
    return [await latestRun(harness.client, 'ingest-cancelled-before-load', workflowId, 'CANCELLED')];
  },
  async ({ harness, gated, workDir }) => {
    const path = await writeGeneratedFile(join(workDir, 'cancelled-late.csv'), { rows: 200, seed: 7, days: 5, refPrefix: 'CL' });
    const workflowId = await runCancelled(harness, gated, 'load', path);
    return [await latestRun(harness.client, 'ingest-cancelled-after-load', workflowId, 'COMPLETED')];
  },
  async ({ harness }) => {
    // Fourteen batches of a day: twelve in the first run, the rest in the run it continues as.
    const handle = await startAggregation(harness.client, harness.taskQueue, { from: '2026-10-01', to: '2026-10-14', batchDays: 1 });
    await handle.result();
    return runChain(harness.client, 'aggregate-continued', handle.workflowId, handle.firstExecutionRunId);
  },
  async ({ harness }) => {
    const handle = await harness.client.workflow.start(aggregateSalesWorkflow, {
      taskQueue: harness.taskQueue,
      workflowId: `aggregate-sales-last-days-${Date.now()}`,
      args: [{ lastDays: 3, timeZone: harness.pipeline.businessTimeZone }],
    });
    await handle.result();
    return [await latestRun(harness.client, 'aggregate-last-days', handle.workflowId)];
  },
  async ({ harness, workDir }) => {
    const path = await writeGeneratedFile(join(workDir, 'reverted.csv'), { rows: 300, seed: 8, days: 6, refPrefix: 'RV' });
    const loaded = await harness.ingest(path);
    expectStatus('completed', loaded.status);
    const reverted = await runRevert(harness, 'revert-completed', loaded.fileId, 'recorded for the replay test');
    // A second revert of the same file: the workflow reports the first one and changes nothing.
    return [reverted, await runRevert(harness, 'revert-again', loaded.fileId, null)];
  },
  async ({ harness }) => {
    // No file has this id: the revert is refused, and the workflow fails with the reason.
    return [await runRevert(harness, 'revert-refused', '00000000-0000-7000-8000-000000000000', null, 'FAILED')];
  },
];

/** Runs a revert of the file to its end, as `pipeforge revert --yes --wait` does; names its run. */
async function runRevert(
  harness: PipelineHarness,
  scenario: string,
  fileId: string,
  reason: string | null,
  status = 'COMPLETED',
): Promise<Recorded> {
  const handle = await harness.client.workflow.start(revertFileWorkflow, {
    taskQueue: harness.taskQueue,
    workflowId: revertWorkflowId(fileId),
    args: [{ fileId, reason }],
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
  });
  await handle.result().catch(() => undefined);
  const runId = handle.firstExecutionRunId;
  const description = await harness.client.workflow.getHandle(handle.workflowId, runId).describe();
  expectStatus(status, description.status.name);
  return { scenario, workflowId: handle.workflowId, runId };
}

function expectStatus(expected: string, actual: string): void {
  if (actual !== expected) throw new Error(`expected the run to end ${expected}, it ended ${actual}`);
}

async function latestRun(client: Client, scenario: string, workflowId: string, status = ''): Promise<Recorded> {
  const description = await client.workflow.getHandle(workflowId).describe();
  if (status !== '') expectStatus(status, description.status.name);
  return { scenario, workflowId, runId: description.runId };
}

/** Every run of a continue-as-new chain, first to last, as <scenario>-run<N>. */
async function runChain(client: Client, scenario: string, workflowId: string, firstRunId: string): Promise<Recorded[]> {
  const runs: Recorded[] = [];
  for (let runId: string | null | undefined = firstRunId; runId; ) {
    runs.push({ scenario: `${scenario}-run${runs.length + 1}`, workflowId, runId });
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    runId = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
  }
  if (runs.length < 2) throw new Error(`${workflowId} did not continue as new`);
  return runs;
}

/** Starts a file on the gated worker, cancels it once the gated stage has done its work, waits for the end. */
async function runCancelled(harness: PipelineHarness, gated: GatedWorker, stage: 'parse' | 'load', path: string): Promise<string> {
  const reached = gated.gate(stage);
  const submitted = await submitFile({ client: harness.client, store: harness.store, taskQueue: gated.taskQueue }, path);
  await reached;
  await submitted.handle.cancel();
  await submitted.handle.result().catch(() => undefined);
  return submitted.workflowId;
}

async function labelFromArgs(): Promise<string> {
  const { values } = parseArgs({ options: { label: { type: 'string' } } });
  if (values.label) return values.label;
  const manifest = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return `v${manifest.version}`;
}

async function main(): Promise<void> {
  const label = await labelFromArgs();
  if (!/^[A-Za-z0-9._-]+$/.test(label)) throw new Error(`the label ${label} must be letters, digits, '.', '_' or '-'`);
  await mkdir(HISTORIES_DIR, { recursive: true });
  const taken = (await readdir(HISTORIES_DIR)).filter((name) => name.startsWith(`${label}-`));
  if (taken.length > 0) {
    throw new Error(`histories labelled ${label} exist already (${taken.join(', ')}); record under a new --label`);
  }

  installQuietTemporalRuntime();
  await globalSetup();
  const workDir = await mkdtemp(join(tmpdir(), 'pipeforge-record-'));
  let harness: PipelineHarness | undefined;
  let gated: GatedWorker | undefined;
  try {
    harness = await startPipelineHarness();
    gated = await startGatedWorker(harness);
    const recorded: Recorded[] = [];
    for (const scenario of SCENARIOS) recorded.push(...(await scenario({ harness, gated, workDir })));

    for (const run of recorded) {
      const url = new URL(`${label}-${run.scenario}.json`, HISTORIES_DIR);
      const history = await harness.client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
      await writeFile(url, `${historyToJson(history)}\n`, { flag: 'wx' });
      process.stdout.write(`${url.pathname}\n`);
    }
  } finally {
    await gated?.stop();
    await harness?.stop();
    await rm(workDir, { recursive: true, force: true });
    await globalTeardown();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
