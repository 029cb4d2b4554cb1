import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * Credentials are random per data directory rather than fixed dev values: the servers listen on
 * loopback, which every local user can reach. They are generated once and kept next to the data
 * they protect, because PostgreSQL fixes its password at initdb and the email hash key must stay
 * stable for hashes to match across restarts.
 */
const secretsSchema = z.object({
  postgresPassword: z.string().min(16),
  minioAccessKey: z.string().min(3),
  minioSecretKey: z.string().min(8),
  emailHashKey: z.string().length(64),
});

export type StackSecrets = z.infer<typeof secretsSchema>;

export function secretsPath(dataDir: string): string {
  return join(dataDir, 'secrets.json');
}

function generate(): StackSecrets {
  // Hex needs no escaping in URLs or env files.
  return {
    postgresPassword: randomBytes(24).toString('hex'),
    minioAccessKey: 'pipeforge',
    minioSecretKey: randomBytes(24).toString('hex'),
    emailHashKey: randomBytes(32).toString('hex'),
  };
}

async function read(path: string): Promise<StackSecrets> {
  const parsed = secretsSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
  if (!parsed.success) throw new Error(`${path} is malformed; restore it or start with a fresh data directory`);
  return parsed.data;
}

export async function readSecrets(dataDir: string): Promise<StackSecrets | null> {
  try {
    return await read(secretsPath(dataDir));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Two processes starting on a new directory at once must agree on one set, hence create-by-link. */
export async function loadOrCreateSecrets(dataDir: string): Promise<StackSecrets> {
  const existing = await readSecrets(dataDir);
  if (existing) return existing;
  await mkdir(dataDir, { recursive: true });
  const path = secretsPath(dataDir);
  const candidate = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(candidate, `${JSON.stringify(generate(), null, 2)}\n`, { mode: 0o600 });
  try {
    await link(candidate, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await rm(candidate, { force: true });
  }
  return read(path);
}
