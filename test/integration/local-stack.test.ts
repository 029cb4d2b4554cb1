import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readdir, readFile, realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { Client } from 'minio';
import { createPool, sql, type DatabasePool } from 'slonik';
import { createLogger } from '../../src/logger.ts';
import { loadStorageConfig } from '../../src/config.ts';
import { deleteDataDir, startLocalStack, type LocalStack } from '../../src/stack/local-stack.ts';
import { isPortFree } from '../../src/stack/ports.ts';

const logger = createLogger('warn', { test: 'local-stack' });

/**
 * Pids whose command line names the data dir: temporal and minio do, and postgres names its
 * cluster, which is in the data dir or (as root, under a private TMPDIR) linked from it.
 */
async function processesUsing(dataDir: string): Promise<number[]> {
  const names = [dataDir, await realpath(join(dataDir, 'postgres'))];
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const commandLine = await readFile(`/proc/${entry}/cmdline`, 'utf8');
      if (names.some((name) => commandLine.includes(name))) pids.push(Number(entry));
    } catch {
      // The process exited while we looked.
    }
  }
  return pids;
}

function portOf(url: string): number {
  return Number(new URL(url.includes('://') ? url : `tcp://${url}`).port);
}

function stackPorts(stack: LocalStack): number[] {
  return [
    stack.env.DATABASE_URL,
    stack.env.TEMPORAL_ADDRESS,
    stack.env.TEMPORAL_UI_URL,
    stack.env.MINIO_ENDPOINT,
    stack.minioConsoleUrl,
  ].map(portOf);
}

async function withPool<T>(url: string, work: (pool: DatabasePool) => Promise<T>): Promise<T> {
  const pool = await createPool(url);
  try {
    return await work(pool);
  } finally {
    await pool.end();
  }
}

describe('local stack', () => {
  let dataDir: string;
  let stack: LocalStack | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'pipeforge-stack-test-'));
    stack = await startLocalStack({ dataDir, logger });
  });

  afterAll(async () => {
    await stack?.stop();
    await deleteDataDir(dataDir);
  });

  it('serves PostgreSQL on DATABASE_URL', async () => {
    const env = stack!.env;
    await expect(withPool(env.DATABASE_URL, (pool) => pool.oneFirst(sql.unsafe`select 1 as one`))).resolves.toBe(1);
  });

  it('serves Temporal with the search attributes registered', async () => {
    const connection = await Connection.connect({ address: stack!.env.TEMPORAL_ADDRESS });
    try {
      await expect(connection.workflowService.getSystemInfo({})).resolves.toBeDefined();
      const { customAttributes } = await connection.operatorService.listSearchAttributes({
        namespace: stack!.env.TEMPORAL_NAMESPACE,
      });
      expect(Object.keys(customAttributes ?? {})).toEqual(expect.arrayContaining(['IngestStatus', 'RowsLoaded']));
    } finally {
      await connection.close();
    }
  });

  it('serves MinIO with the bucket created', async () => {
    const storage = loadStorageConfig(stack!.env);
    const client = new Client({
      endPoint: storage.endPoint,
      port: storage.port,
      useSSL: storage.useSSL,
      accessKey: storage.accessKey,
      secretKey: storage.secretKey,
    });
    await expect(client.bucketExists(storage.bucket)).resolves.toBe(true);
  });

  it('serves the Temporal Web UI and the MinIO console', async () => {
    expect((await fetch(stack!.env.TEMPORAL_UI_URL)).status).toBe(200);
    expect((await fetch(stack!.minioConsoleUrl)).status).toBe(200);
  });

  it('stops without leaving processes or ports behind, and keeps data across a restart', async () => {
    const first = stack!;
    await withPool(first.env.DATABASE_URL, (pool) => pool.query(sql.unsafe`create table survives_restart (id int)`));
    const emailHashKey = first.env.PIPEFORGE_EMAIL_HASH_KEY;
    const pids = await processesUsing(dataDir);
    expect(pids.length).toBeGreaterThanOrEqual(3);

    await first.stop();
    await first.stop();
    stack = undefined;

    expect(await processesUsing(dataDir)).toEqual([]);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    for (const port of stackPorts(first)) expect(await isPortFree(port)).toBe(true);

    stack = await startLocalStack({ dataDir, logger });
    expect(stack.env.PIPEFORGE_EMAIL_HASH_KEY).toBe(emailHashKey);
    const tableExists = await withPool(stack.env.DATABASE_URL, (pool) =>
      pool.exists(sql.unsafe`select 1 from pg_tables where tablename = 'survives_restart'`),
    );
    expect(tableExists).toBe(true);
  });
});
