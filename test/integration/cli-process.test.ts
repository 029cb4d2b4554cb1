import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadTemporalConfig } from '../../src/config.ts';
import { generateOrderLines } from '../../src/sample/generate-order-lines.ts';
import { ingestWorkflowId } from '../../src/workflows/ingest-file-contract.ts';
import { runPipeforge, STACK_FRAME, stderrLines, type CliRun } from '../support/cli-process.ts';
import { startPipelineHarness, type PipelineHarness } from '../support/pipeline-harness.ts';

/**
 * `bin/pipeforge` as a process against the real stack: mistakes a server has to answer (an
 * unknown id, a cron expression Temporal refuses), a duplicate's output, and a follow that loses
 * its server. Each mistake is one line on stderr, without a stack trace.
 */

let harness: PipelineHarness;
let workDir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  harness = await startPipelineHarness();
  workDir = await mkdtemp(join(tmpdir(), 'pipeforge-cli-process-'));
  env = { ...process.env, DATABASE_URL: harness.databaseUrl, TEMPORAL_TASK_QUEUE: harness.taskQueue, PIPEFORGE_HOME: workDir, LOG_LEVEL: 'warn' };
});

afterAll(async () => {
  await harness?.stop();
  await rm(workDir, { recursive: true, force: true });
});

const pipeforge = (...args: string[]) => runPipeforge(args, { env, cwd: workDir, timeoutMs: 90_000 });

function expectOneLine(run: CliRun, code: number, ...fragments: string[]): void {
  expect({ code: run.code, stderr: stderrLines(run) }).toEqual({ code, stderr: [expect.any(String)] });
  for (const fragment of fragments) expect(run.stderr).toContain(fragment);
  expect(run.stderr).not.toMatch(STACK_FRAME);
}

describe('mistakes the stack answers', () => {
  it('status of an id nothing has', async () => {
    expectOneLine(await pipeforge('status', 'nosuchthing'), 1, 'no ingestion file, content hash or workflow has the id nosuchthing');
    const workflowId = ingestWorkflowId('0'.repeat(64));
    expectOneLine(await pipeforge('status', workflowId), 1, `no workflow has the id ${workflowId}`);
  });

  it('a cron expression the server refuses is a usage error that quotes it', async () => {
    const name = `pipeforge-test-${randomBytes(4).toString('hex')}`;
    const run = await pipeforge('schedule', 'create', name, '--cron', '61 0 * * *');
    expectOneLine(run, 2, 'pipeforge schedule create: --cron "61 0 * * *"', 'Minute is not in range');
    await expect(harness.client.schedule.getHandle(name).describe()).rejects.toThrow();
  });
});

describe('schedule describe', () => {
  it('lists the next runs one a line, not as a JSON array', async () => {
    const name = `pipeforge-test-${randomBytes(4).toString('hex')}`;
    try {
      expect((await pipeforge('schedule', 'create', name, '--cron', '30 0 * * *', '--tz', 'UTC')).code).toBe(0);
      const run = await pipeforge('schedule', 'describe', name);
      expect(run.code).toBe(0);
      expect(run.stdout).not.toContain('[');
      expect(run.stdout).toMatch(/^nextRuns +\d{4}-\d{2}-\d{2} 00:30:00 UTC\n +\d{4}-\d{2}-\d{2} 00:30:00 UTC$/m);
      expect(run.stdout).toMatch(/^recentRuns +\(none\)$/m);
    } finally {
      await harness.client.schedule.getHandle(name).delete().catch(() => undefined);
    }
  });
});

describe('a duplicate', () => {
  it('is not announced as a started ingestion before it is reported as a duplicate', async () => {
    const path = join(workDir, 'orders-dup.csv');
    await writeFile(path, await buffer(generateOrderLines({ rows: 30, seed: 31, days: 3 })));
    const first = await pipeforge('ingest', path, '--wait');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('orders-dup.csv: submitted as ingest-');

    const again = await pipeforge('ingest', path, '--wait');
    expect(again.code).toBe(0);
    expect(again.stdout).not.toMatch(/started/i);
    const submitted = again.stdout.indexOf('orders-dup.csv: submitted as ingest-');
    const duplicate = again.stdout.indexOf('orders-dup.csv: duplicate of file');
    expect(submitted).toBeGreaterThanOrEqual(0);
    expect(duplicate).toBeGreaterThan(submitted);
  });
});

describe('status of a failed file', () => {
  it('shows the reason, the counts, the rejects report and the next command', async () => {
    const header = 'order_ref,order_date,customer_email,customer_region,sku,product_name,category,quantity,unit_price,payment_method';
    const lines = Array.from({ length: 10 }, (_, i) => `BAD-${i},2026-09-01T10:00:00Z,b${i}@example.com,Nairobi,SKU-1,Tea,Cat,many,10.00,mpesa`);
    const path = join(workDir, 'orders-bad.csv');
    await writeFile(path, `${[header, ...lines].join('\n')}\n`);
    const failed = await harness.ingest(path);
    expect(failed.status).toBe('failed');

    const run = await pipeforge('status', failed.fileId);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^status +failed \(workflow failed\)$/m);
    expect(run.stdout).toMatch(/^reason +orders-bad\.csv: 10 of 10 rows \(100\.0%\) were rejected/m);
    expect(run.stdout).toMatch(/^rows +10 read, 0 loaded, 10 rejected/m);
    expect(run.stdout).toContain(`rejects/${failed.objectKey}.rejects.csv`);
    expect(run.stdout).toMatch(new RegExp(`^next +pipeforge rejects ${failed.fileId}$`, 'm'));
    const json = JSON.parse((await pipeforge('status', failed.fileId, '--json')).stdout) as { summary: { error: string } };
    expect(json.summary.error).toContain('were rejected');

    // Not on a terminal: `files` shows the whole message, which no longer fits 60 characters.
    const files = await pipeforge('files', '--limit', '5');
    expect(files.stdout).toContain(json.summary.error.split('\n')[0]);
  });
});

/** A TCP relay to the Temporal server that can be cut, as if the stack had stopped. */
async function temporalRelay(): Promise<{ address: string; connections: () => number; cut(): Promise<void> }> {
  const [host, port] = loadTemporalConfig().address.split(':');
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((downstream) => {
    accepted += 1;
    const upstream = connect({ host: host ?? '127.0.0.1', port: Number(port) });
    for (const socket of [downstream, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    }
    downstream.pipe(upstream).pipe(downstream);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no relay port');
  return {
    address: `127.0.0.1:${address.port}`,
    connections: () => accepted,
    async cut() {
      const closed = new Promise((resolve) => server.close(resolve));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

describe('status --follow', () => {
  it('says the connection was lost and exits soon after the server goes away', async () => {
    // A workflow no worker picks up stays running for as long as the test needs.
    const contentHash = randomBytes(32).toString('hex');
    const workflowId = ingestWorkflowId(contentHash);
    const started = await harness.client.workflow.start('ingestFileWorkflow', {
      taskQueue: `nobody-${contentHash.slice(0, 8)}`,
      workflowId,
      args: [{ objectKey: `uploads/${contentHash}/never.csv`, filename: 'never.csv', contentHash }],
    });
    const relay = await temporalRelay();
    try {
      let cutAt = 0;
      const following = runPipeforge(['status', workflowId, '--follow'], {
        env: { ...env, TEMPORAL_ADDRESS: relay.address },
        cwd: workDir,
        timeoutMs: 90_000,
      });
      // Following means connected and waiting for the result: then the "stack" stops.
      const deadline = Date.now() + 30_000;
      while (relay.connections() === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      cutAt = Date.now();
      await relay.cut();
      const run = await following;
      expectOneLine(run, 1, `pipeforge: lost the connection to Temporal at ${relay.address} while following ${workflowId}`);
      // Without the check it waits for the client's own retries to give up (tens of seconds).
      expect(Date.now() - cutAt).toBeLessThan(15_000);
    } finally {
      await relay.cut().catch(() => undefined);
      await started.terminate('test over').catch(() => undefined);
    }
  });
});
