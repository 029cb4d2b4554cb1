import { readFile } from 'node:fs/promises';
import { availableParallelism, loadavg, totalmem } from 'node:os';
import pg from 'pg';

export type MachineInfo = {
  cpus: number;
  cpuModel: string;
  memoryBytes: number;
  /** At the start: a busy shared machine explains slow numbers. */
  loadAverage: number[];
  node: string;
  /** `select version()` of the server measured. */
  postgres: string;
};

export async function describeMachine(databaseUrl: string): Promise<MachineInfo> {
  return {
    cpus: availableParallelism(),
    cpuModel: await cpuModel(),
    memoryBytes: totalmem(),
    loadAverage: loadavg(),
    node: process.version,
    postgres: await postgresVersion(databaseUrl),
  };
}

async function cpuModel(): Promise<string> {
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8').catch(() => '');
  return /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown CPU';
}

async function postgresVersion(databaseUrl: string): Promise<string> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'pipeforge-bench' });
  await client.connect();
  try {
    const result = await client.query<{ version: string }>('select version()');
    return result.rows[0]?.version ?? 'unknown PostgreSQL';
  } finally {
    await client.end();
  }
}
