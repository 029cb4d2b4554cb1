import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from 'slonik';
import { z } from 'zod';
import { generateOrderLines } from '../../src/sample/generate-order-lines.ts';
import { startPipelineHarness, type PipelineHarness } from '../support/pipeline-harness.ts';

/**
 * `pipeforge watch` as a user runs it, a separate process against the real MinIO: an object
 * dropped under the prefix is ingested; one dropped while the watcher is stopped is picked up by
 * the listing when it starts again; what was already ingested is not started twice. (The MinIO
 * built here accepts the notification request but never answers it, so the rescan finds the
 * first object; the notification path itself is covered by test/unit/watch-loop.test.ts.)
 */

const CLI = fileURLToPath(new URL('../../src/client/cli.ts', import.meta.url));
const tag = Math.random().toString(16).slice(2, 10);
const prefix = `incoming/${tag}/`;

type Event = { event: string; objectKey?: string; workflowId?: string; discovery?: string; status?: string; rowsLoaded?: number };

let harness: PipelineHarness;
let workDir: string;
const watchers: ChildProcess[] = [];

beforeAll(async () => {
  harness = await startPipelineHarness();
  workDir = await mkdtemp(join(tmpdir(), 'pipeforge-watch-'));
});

afterAll(async () => {
  for (const child of watchers) if (child.exitCode === null) child.kill('SIGKILL');
  await harness?.stop();
  await rm(workDir, { recursive: true, force: true });
});

type Watcher = { child: ChildProcess; events: Event[]; waitFor(match: (e: Event) => boolean): Promise<Event>; stop(): Promise<number | null> };

function startWatcher(): Watcher {
  const child = spawn(process.execPath, [CLI, 'watch', '--prefix', prefix, '--rescan-seconds', '1', '--json'], {
    env: { ...process.env, TEMPORAL_TASK_QUEUE: harness.taskQueue, PIPEFORGE_HOME: workDir, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  watchers.push(child);
  const events: Event[] = [];
  const waiters: Array<() => void> = [];
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let newline = buffer.indexOf('\n');
    while (newline >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (line.startsWith('{')) events.push(JSON.parse(line) as Event);
      newline = buffer.indexOf('\n');
    }
    for (const wake of waiters.splice(0)) wake();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    events,
    async waitFor(match) {
      // A guard for a readable failure, not a performance limit.
      const giveUpAt = Date.now() + 90_000;
      setTimeout(() => waiters.splice(0).forEach((wake) => wake()), 90_000).unref();
      for (;;) {
        const found = events.find(match);
        if (found) return found;
        if (child.exitCode !== null) throw new Error(`watch exited with ${child.exitCode}`);
        if (Date.now() >= giveUpAt) throw new Error(`not seen; watch printed ${JSON.stringify(events)}`);
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

async function dropObject(name: string, seed: number, rows: number): Promise<string> {
  const chunks: string[] = [];
  for await (const chunk of generateOrderLines({ rows, seed, days: 3 })) chunks.push(String(chunk));
  const path = join(workDir, name);
  await writeFile(path, chunks.join(''));
  await harness.store.uploadFile(`${prefix}${name}`, path);
  return `${prefix}${name}`;
}

const fileRow = z.object({ status: z.string(), filePath: z.string() });

describe('pipeforge watch', () => {
  it('ingests dropped objects, and after a restart picks up what landed while it was down', async () => {
    const first = startWatcher();
    await first.waitFor((e) => e.event === 'watching');
    const keyA = await dropObject('a.csv', 31, 120);
    const startedA = await first.waitFor((e) => e.event === 'started' && e.objectKey === keyA);
    // By notification where the server delivers them, else by the next rescan (see the report).
    expect(['created', 'reconcile']).toContain(startedA.discovery);
    const finishedA = await first.waitFor((e) => e.event === 'finished' && e.objectKey === keyA);
    expect(finishedA).toMatchObject({ status: 'completed', rowsLoaded: 120 });
    expect(await first.stop()).toBe(0);

    const keyB = await dropObject('b.csv', 32, 80);
    const second = startWatcher();
    const startedB = await second.waitFor((e) => e.event === 'started' && e.objectKey === keyB);
    expect(startedB.discovery).toBe('reconcile');
    const finishedB = await second.waitFor((e) => e.event === 'finished' && e.objectKey === keyB);
    expect(finishedB).toMatchObject({ status: 'completed', rowsLoaded: 80 });
    // a.csv was listed too, but its content already has a workflow: not started again.
    expect(second.events.filter((e) => e.event === 'started').map((e) => e.objectKey)).toEqual([keyB]);
    expect(await second.stop()).toBe(0);

    const rows = await harness.pool.any(sql.type(fileRow)`
      select status, file_path as "filePath" from ingestion_files order by file_path`);
    expect(rows).toEqual([
      { status: 'completed', filePath: `${harness.store.bucket}/${keyA}` },
      { status: 'completed', filePath: `${harness.store.bucket}/${keyB}` },
    ]);
  });
});
