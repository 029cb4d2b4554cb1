import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import type { Logger } from '../logger.ts';
import { SEARCH_ATTRIBUTE_REGISTRATIONS } from '../workflows/ingest-file-contract.ts';
import { logFilePath, startFailure } from './log-file.ts';
import { startFailureReason, startManagedProcess, type ManagedProcess } from './managed-process.ts';
import { LOOPBACK } from './ports.ts';
import { httpAnswers, waitUntil } from './wait.ts';

export const TEMPORAL_NAMESPACE = 'default';

export type TemporalServerOptions = {
  binary: string;
  dataDir: string;
  port: number;
  uiPort: number;
  logger: Logger;
  signal?: AbortSignal;
};

export type TemporalServer = {
  address: string;
  namespace: string;
  uiUrl: string;
  pid: number;
  logPath: string;
  stop(): Promise<void>;
};

const READY_TIMEOUT_MS = 60_000;

async function answersGrpc(address: string): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 2_000 });
  try {
    await connection.workflowService.getSystemInfo({});
    return true;
  } finally {
    await connection.close();
  }
}

export async function startTemporalServer(options: TemporalServerOptions): Promise<TemporalServer> {
  const { dataDir, port, uiPort, logger } = options;
  await mkdir(join(dataDir, 'temporal'), { recursive: true });
  const address = `${LOOPBACK}:${port}`;
  const uiUrl = `http://${LOOPBACK}:${uiPort}`;
  const args = [
    'server',
    'start-dev',
    '--ip',
    LOOPBACK,
    '--port',
    String(port),
    '--ui-port',
    String(uiPort),
    '--db-filename',
    join(dataDir, 'temporal', 'temporal.db'),
    '--namespace',
    TEMPORAL_NAMESPACE,
    '--log-level',
    'warn',
    '--color',
    'never',
    ...SEARCH_ATTRIBUTE_REGISTRATIONS.flatMap(({ name, type }) => ['--search-attribute', `${name}=${type}`]),
  ];

  const logPath = logFilePath(dataDir, 'temporal');
  let server: ManagedProcess | undefined;
  try {
    server = await startManagedProcess({ name: 'temporal', command: options.binary, args, logPath, logger });
    const signal = AbortSignal.any([server.exitSignal, ...(options.signal ? [options.signal] : [])]);
    const timeoutMs = READY_TIMEOUT_MS;
    await waitUntil(() => answersGrpc(address), { what: `Temporal at ${address}`, timeoutMs, signal });
    // The UI is served by the same process but comes up on its own schedule.
    await waitUntil(() => httpAnswers(uiUrl), { what: `Temporal Web UI at ${uiUrl}`, timeoutMs, signal });
    logger.debug({ server: 'temporal', pid: server.pid, address, uiUrl }, 'temporal ready');
    return { address, namespace: TEMPORAL_NAMESPACE, uiUrl, pid: server.pid, logPath, stop: server.stop };
  } catch (error) {
    await server?.stop();
    if (options.signal?.aborted) throw error;
    throw await startFailure('Temporal dev server', startFailureReason(server, error), logPath, error);
  }
}
