import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '../../src/logger.ts';
import { installTemporalRuntime } from '../../src/worker/temporal-runtime.ts';
import { startPipelineHarness, type PipelineHarness } from '../support/pipeline-harness.ts';

/**
 * The worker's log of a file refused for its content, through the real SDK: the runtime's logger
 * forwards the SDK's own lines ("Activity failed", "Workflow failed") into the same pino logger.
 */

const HEADER = 'order_ref,order_date,customer_email,customer_region,sku,product_name,category,quantity,unit_price,payment_method';

let harness: PipelineHarness;
let workDir: string;
const logLines: string[] = [];

beforeAll(async () => {
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  // At debug, the SDK's per-task lines (which carry the task token) are written too.
  const logger = createLogger('debug', { component: 'worker' }, destination, { format: 'json' });
  // Before the harness connects: the runtime is installed once, before any native connection.
  installTemporalRuntime(logger);
  harness = await startPipelineHarness({}, { logger });
  workDir = await mkdtemp(join(tmpdir(), 'pipeforge-worker-logs-'));
});

afterAll(async () => {
  await harness?.stop();
  await rm(workDir, { recursive: true, force: true });
});

async function ingest(name: string, content: string) {
  const path = join(workDir, name);
  await writeFile(path, content);
  return harness.ingest(path);
}

/** The SDK logs after it reported the outcome, so a line may follow the result by a little. */
async function eventually(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('the expected log line did not come');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function linesOf(workflowId: string): Array<{ text: string; entry: Record<string, unknown> }> {
  return logLines.filter((text) => text.includes(workflowId)).map((text) => ({ text, entry: JSON.parse(text) as Record<string, unknown> }));
}

describe('a refused file in the worker log', () => {
  it.each([
    ['an empty file', 'empty.csv', ''],
    ['a file whose rows are all rejected', 'all-rejected.csv', `${HEADER}\nA-1,not a date,x,y,z,w,v,-1,abc,barter\nA-2,not a date,x,y,z,w,v,-1,abc,barter\n`],
  ])('%s is logged once, as a warning, without a stack or a task token', async (_case, name, content) => {
    const summary = await ingest(name, content);
    expect(summary.status).toBe('failed');
    const reason = summary.error ?? '';
    expect(reason).toMatch(new RegExp(`^${name}`));

    // The workflow's own failure line comes last: once it is in, every line of the run is.
    await eventually(() => linesOf(summary.workflowId).some(({ entry }) => entry.msg === 'workflow failed on its input file'));
    const lines = linesOf(summary.workflowId);
    expect(lines.length).toBeGreaterThan(0);
    for (const { text } of lines) {
      expect(text).not.toContain('taskToken');
      expect(text).not.toContain('"stack"');
      // The reason once in a line, never followed by itself.
      expect(text).not.toContain(`${reason}: ${reason}`);
    }
    // Once at info or above; the workflow's own failure line of the same run stays at debug.
    const refusals = lines.filter(({ text, entry }) => text.includes(JSON.stringify(reason)) && Number(entry.level) >= 30);
    expect(refusals.map(({ entry }) => [entry.level, entry.msg, entry.component])).toEqual([[40, 'input file refused', 'worker']]);
    expect(lines.filter(({ entry }) => Number(entry.level) >= 40)).toHaveLength(1);
  });
});
