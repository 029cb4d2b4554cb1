import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logFilePath, runHeader, startFailure } from '../../src/stack/log-file.ts';
import { LOOPBACK, resolvePorts } from '../../src/stack/ports.ts';

function bind(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port, host: LOOPBACK }, () => resolve(server));
  });
}

describe('choosing the local stack ports', () => {
  it('gives five different ports that a server can bind at once', async () => {
    const ports = Object.values(await resolvePorts());
    expect(new Set(ports).size).toBe(5);
    const servers = await Promise.all(ports.map(bind));
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  });

  it('leaves every chosen port in TIME_WAIT, which keeps the system from handing it out again', async () => {
    const chosen = Object.values(await resolvePorts());
    const timeWait = await portsInTimeWait();
    expect(chosen.filter((port) => !timeWait.has(port))).toEqual([]);
  });
});

const TCP_TIME_WAIT = '06';

/** Local ports of the loopback sockets in TIME_WAIT, from the kernel's own table. */
async function portsInTimeWait(): Promise<Set<number>> {
  const table = await readFile('/proc/net/tcp', 'utf8');
  const ports = new Set<number>();
  for (const row of table.trim().split('\n').slice(1)) {
    const [, local, , state] = row.trim().split(/\s+/);
    if (state === TCP_TIME_WAIT && local) ports.add(Number.parseInt(local.split(':')[1] ?? '', 16));
  }
  return ports;
}

describe('the error of a server that did not start', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'pipeforge-start-failure-'));
    await mkdir(join(dataDir, 'logs'));
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it('names a taken port, even when a goroutine dump pushes it out of the tail', async () => {
    const logPath = logFilePath(dataDir, 'temporal');
    const dump = Array.from({ length: 60 }, (_, i) => `\tgo.uber.org/fx.frame${i}()`);
    const panic = 'panic: listen tcp 127.0.0.1:40123: bind: address already in use';
    await writeFile(logPath, [runHeader('temporal server start-dev'), panic, ...dump].join('\n'));

    const error = await startFailure('Temporal dev server', 'temporal exited (code 2, signal none)', logPath);

    expect(error.portClash).toBe(true);
    expect(error.message).toContain(`first problem in the log: ${panic}`);
    expect(error.message).toContain('fx.frame59');
  });

  it('does not call another failure a port clash, nor one from an earlier run', async () => {
    const logPath = logFilePath(dataDir, 'postgres');
    const earlier = [runHeader('postgres'), 'could not bind IPv4 address "127.0.0.1": Address already in use'];
    const now = [runHeader('postgres'), 'FATAL:  data directory "/x" has invalid permissions'];
    await writeFile(logPath, [...earlier, ...now].join('\n'));

    const error = await startFailure('PostgreSQL', 'postgres exited (code 1, signal none)', logPath);

    expect(error.portClash).toBe(false);
    expect(error.message).toContain('invalid permissions');
    expect(error.message).not.toContain('Address already in use');
  });
});
