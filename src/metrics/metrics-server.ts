import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from '../logger.ts';

export type ReadinessCheck = () => Promise<boolean>;

export type MetricsServerOptions = {
  host: string;
  port: number;
  registry: Registry;
  /** Temporal core's own Prometheus exporter, whose text is appended to `/metrics`. */
  temporalMetricsUrl?: string | undefined;
  /** Named checks for `/readyz`; all must pass. A check that throws counts as failed. */
  readiness: Record<string, ReadinessCheck>;
  logger: Logger;
};

export type MetricsServer = { port: number; close(): Promise<void> };

/**
 * `/metrics` (PipeForge's counters plus Temporal's worker metrics, in one scrape), `/healthz` (the
 * process answers) and `/readyz` (the worker runs and its database and object store answer).
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const { registry, logger } = options;
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const reply = (status: number, contentType: string, body: string) => {
      response.writeHead(status, { 'content-type': contentType });
      response.end(body);
    };
    const handle = async () => {
      if (path === '/healthz') return reply(200, 'text/plain', 'ok\n');
      if (path === '/readyz') {
        const results = await runChecks(options.readiness);
        const ready = Object.values(results).every(Boolean);
        return reply(ready ? 200 : 503, 'application/json', `${JSON.stringify({ ready, checks: results })}\n`);
      }
      if (path === '/metrics') {
        const own = await registry.metrics();
        const temporal = options.temporalMetricsUrl ? await fetchText(options.temporalMetricsUrl) : '';
        return reply(200, registry.contentType, `${own}\n${temporal}`);
      }
      return reply(404, 'text/plain', 'not found\n');
    };
    handle().catch((error: unknown) => {
      logger.error({ err: error, path }, 'metrics endpoint failed');
      if (!response.headersSent) reply(500, 'text/plain', 'error\n');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  logger.info({ host: options.host, port }, 'metrics endpoint listening (/metrics, /healthz, /readyz)');
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function runChecks(checks: Record<string, ReadinessCheck>): Promise<Record<string, boolean>> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => [name, await withTimeout(check(), 3_000).catch(() => false)] as const),
  );
  return Object.fromEntries(entries);
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Temporal's exporter may not have started yet; a scrape then carries PipeForge's metrics only. */
async function fetchText(url: string): Promise<string> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return response.ok ? await response.text() : '';
  } catch {
    return '';
  }
}
