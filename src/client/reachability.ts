import { connect } from 'node:net';
import type { DatabaseConfig, StorageConfig, TemporalConfig } from '../config.ts';
import { CommandError } from './command-error.ts';

export type ServiceName = 'MinIO' | 'Temporal' | 'PostgreSQL';

export type Endpoint = { service: ServiceName; host: string; port: number };

export function describeEndpoint(endpoint: Endpoint): string {
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  return `${endpoint.service} at ${host}:${endpoint.port}`;
}

/** One line for a server that does not answer; `lost` when it answered earlier in this command. */
export class ServiceUnreachableError extends CommandError {
  readonly endpoint: Endpoint;
  readonly lost: boolean;

  constructor(endpoint: Endpoint, options?: { lost?: boolean; after?: string; cause?: unknown }) {
    const where = describeEndpoint(endpoint);
    const message = options?.lost
      ? `lost the connection to ${where}${options.after ? ` ${options.after}` : ''} — is \`pipeforge dev\` still running?`
      : `cannot reach ${where} — is \`pipeforge dev\` running?`;
    super(message, { cause: options?.cause });
    this.endpoint = endpoint;
    this.lost = options?.lost ?? false;
  }
}

export function temporalEndpoint(config: TemporalConfig): Endpoint {
  // host:port, or [v6]:port; Temporal's own default port when none is given.
  const match = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(config.address);
  return { service: 'Temporal', host: match?.[1] ?? match?.[2] ?? config.address, port: Number(match?.[3] ?? 7233) };
}

export function storageEndpoint(config: StorageConfig): Endpoint {
  return { service: 'MinIO', host: config.endPoint, port: config.port };
}

/** Null for a URL that names a Unix socket (or no host): there is no TCP port to try. */
export function databaseEndpoint(config: DatabaseConfig): Endpoint | null {
  const url = new URL(config.url);
  if (url.hostname === '' || url.searchParams.get('host')?.startsWith('/')) return null;
  return { service: 'PostgreSQL', host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : 5432 };
}

/** Whether something accepts a TCP connection there within the timeout. */
export function acceptsConnections(endpoint: Endpoint, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: endpoint.host, port: endpoint.port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Tried before a client connects: a closed port fails here at once with a line that names the
 * server, where the clients would retry for seconds and then fail with a message of their own
 * (or, for MinIO, with an error event nobody listens to).
 */
export async function ensureReachable(...endpoints: Array<Endpoint | null>): Promise<void> {
  const checks = endpoints.filter((endpoint): endpoint is Endpoint => endpoint !== null);
  const results = await Promise.all(checks.map((endpoint) => acceptsConnections(endpoint, 3_000)));
  const down = checks.find((_, index) => !results[index]);
  if (down) throw new ServiceUnreachableError(down);
}
