import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from 'minio';
import type { Logger } from '../logger.ts';
import { logFilePath, startFailure } from './log-file.ts';
import { startFailureReason, startManagedProcess, type ManagedProcess } from './managed-process.ts';
import { LOOPBACK } from './ports.ts';
import { httpAnswers, waitUntil } from './wait.ts';

export type MinioServerOptions = {
  binary: string;
  dataDir: string;
  port: number;
  consolePort: number;
  accessKey: string;
  secretKey: string;
  bucket: string;
  logger: Logger;
  signal?: AbortSignal;
};

export type MinioServer = {
  endpoint: string;
  consoleUrl: string;
  pid: number;
  logPath: string;
  stop(): Promise<void>;
};

const READY_TIMEOUT_MS = 60_000;

async function ensureBucket(client: Client, bucket: string): Promise<void> {
  if (await client.bucketExists(bucket)) return;
  try {
    await client.makeBucket(bucket);
  } catch (error) {
    // Another process may have created it between the check and the create.
    if (!(await client.bucketExists(bucket))) throw error;
  }
}

export async function startMinioServer(options: MinioServerOptions): Promise<MinioServer> {
  const { dataDir, port, consolePort, logger } = options;
  const storageDir = join(dataDir, 'minio');
  await mkdir(storageDir, { recursive: true });
  const endpoint = `http://${LOOPBACK}:${port}`;
  const consoleUrl = `http://${LOOPBACK}:${consolePort}`;
  const logPath = logFilePath(dataDir, 'minio');

  let server: ManagedProcess | undefined;
  try {
    server = await startManagedProcess({
      name: 'minio',
      command: options.binary,
      args: [
        'server',
        storageDir,
        '--address',
        `${LOOPBACK}:${port}`,
        '--console-address',
        `${LOOPBACK}:${consolePort}`,
        // Also keeps the startup banner, which prints the root credentials, out of the log.
        '--quiet',
      ],
      env: {
        MINIO_ROOT_USER: options.accessKey,
        MINIO_ROOT_PASSWORD: options.secretKey,
        MINIO_BROWSER: 'on',
        // A local dev server has no business calling out for updates.
        MINIO_UPDATE: 'off',
      },
      logPath,
      logger,
    });
    const signal = AbortSignal.any([server.exitSignal, ...(options.signal ? [options.signal] : [])]);
    await waitUntil(() => httpAnswers(`${endpoint}/minio/health/live`), {
      what: `MinIO at ${endpoint}`,
      timeoutMs: READY_TIMEOUT_MS,
      signal,
    });
    const client = new Client({
      endPoint: LOOPBACK,
      port,
      useSSL: false,
      accessKey: options.accessKey,
      secretKey: options.secretKey,
    });
    await ensureBucket(client, options.bucket);
    logger.debug({ server: 'minio', pid: server.pid, endpoint, consoleUrl }, 'minio ready');
    return { endpoint, consoleUrl, pid: server.pid, logPath, stop: server.stop };
  } catch (error) {
    await server?.stop();
    if (options.signal?.aborted) throw error;
    throw await startFailure('MinIO', startFailureReason(server, error), logPath, error);
  }
}
