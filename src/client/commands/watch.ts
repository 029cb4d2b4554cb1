import { WorkflowNotFoundError } from '@temporalio/client';
import { loadStorageConfig, loadTemporalConfig } from '../../config.ts';
import { ingestWorkflowId } from '../../workflows/ingest-file-contract.ts';
import { createObjectStore, type StoredObject } from '../../storage/object-store.ts';
import { awaitIngestion } from '../await-ingestion.ts';
import { commandRunner } from '../command-line/run.ts';
import { WATCH } from '../command-specs/ingestion.ts';
import { out } from '../output.ts';
import { ensureReachable, storageEndpoint, temporalEndpoint } from '../reachability.ts';
import { describeOutcome } from '../progress/describe-outcome.ts';
import { startIngestion, storedObjectInput, type SubmitDeps } from '../submit-file.ts';
import { connectClient } from '../temporal-client.ts';

/** Why an object is submitted: a fresh notification, or found by the listing after (re)connecting. */
export type Discovery = 'created' | 'reconcile';

export type WatchLoopDeps = {
  listObjects(prefix: string): AsyncIterable<StoredObject>;
  listen(prefix: string, onCreated: (object: StoredObject) => void, onError: (error: Error) => void): { stop(): void };
  submit(object: StoredObject, discovery: Discovery): Promise<void>;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /**
   * Resolves when the prefix should be listed again while connected: a safety net for a server
   * that accepts the subscription but delivers nothing. Never resolving means notifications only.
   */
  nextRescan?: (signal: AbortSignal) => Promise<void>;
  onReconnect?: (error: Error, delayMs: number) => void;
  onSubmitError?: (object: StoredObject, error: unknown) => void;
};

export type WatchLoopOptions = { prefix: string; signal: AbortSignal; initialDelayMs?: number; maxDelayMs?: number };

/** Exponential backoff: initial, 2×, 4× … up to the maximum. */
export function reconnectDelay(failures: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** Math.max(0, failures - 1));
}

/**
 * Listens for objects created under the prefix and submits each one, until the signal aborts.
 * Every (re)connection first subscribes and then lists the prefix, so an object dropped while the
 * watcher was down, or between listing and subscribing, is still found. A broken notification
 * stream (MinIO restarting) reconnects with backoff; the backoff resets once a listing succeeds.
 * Objects are submitted one at a time, each (key, ETag) once per process.
 */
export async function watchBucket(deps: WatchLoopDeps, options: WatchLoopOptions): Promise<void> {
  const { prefix, signal } = options;
  const initialMs = options.initialDelayMs ?? 1_000;
  const maxMs = options.maxDelayMs ?? 30_000;
  const handled = new Set<string>();
  let queue: Promise<void> = Promise.resolve();
  const enqueue = (object: StoredObject, discovery: Discovery) => {
    const id = `${object.key}\u0000${object.etag}`;
    if (object.key.endsWith('/') || handled.has(id)) return queue;
    handled.add(id);
    queue = queue.then(() =>
      deps.submit(object, discovery).catch((error: unknown) => {
        // Not submitted (e.g. MinIO went away mid-read): the next listing tries it again.
        handled.delete(id);
        deps.onSubmitError?.(object, error);
      }),
    );
    return queue;
  };

  let failures = 0;
  while (!signal.aborted) {
    let listener: { stop(): void } | undefined;
    let error: Error;
    try {
      const broken = new Promise<Error>((resolve) => {
        listener = deps.listen(prefix, (object) => void enqueue(object, 'created'), resolve);
      });
      const stopped = new Promise<null>((resolve) => {
        if (signal.aborted) resolve(null);
        signal.addEventListener('abort', () => resolve(null), { once: true });
      });
      let result: Error | null | 'rescan' = 'rescan';
      while (result === 'rescan') {
        for await (const object of deps.listObjects(prefix)) void enqueue(object, 'reconcile');
        await queue;
        failures = 0;
        const rescan = deps.nextRescan ? deps.nextRescan(signal).then(() => 'rescan' as const) : new Promise<never>(() => undefined);
        result = await Promise.race([broken, stopped, rescan]);
      }
      if (result === null) break;
      error = result;
    } catch (caught) {
      error = caught instanceof Error ? caught : new Error(String(caught));
    } finally {
      listener?.stop();
    }
    failures += 1;
    const delay = reconnectDelay(failures, initialMs, maxMs);
    deps.onReconnect?.(error, delay);
    await deps.sleep(delay, signal);
  }
  await queue;
}

/**
 * `pipeforge watch [--prefix incoming/]`: ingests every object that lands under the prefix. The
 * CLI's own uploads go to `uploads/`, so watching the drop zone never re-triggers them. Besides
 * MinIO's notifications it lists the prefix every --rescan-seconds (default 15): some MinIO builds
 * accept the notification request and never answer it, and a listing finds what they miss.
 */
export const watchCommand = commandRunner('watch', WATCH, async ({ values }, logger) => {
  const prefix = values.prefix;
  const rescanSeconds = values['rescan-seconds'];
  const temporal = loadTemporalConfig();
  const storage = loadStorageConfig();
  await ensureReachable(storageEndpoint(storage), temporalEndpoint(temporal));
  const store = createObjectStore(storage);
  const client = await connectClient(temporal);
  const deps: SubmitDeps = { client, store, taskQueue: temporal.taskQueue };
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const report = (event: Record<string, unknown>, text: string) => (values.json ? out.line(JSON.stringify(event)) : out.line(text));

  try {
    await store.ensureBucket();
    report({ event: 'watching', bucket: store.bucket, prefix }, `watching ${store.bucket}/${prefix} (Ctrl-C stops)`);
    await watchBucket(
      {
        listObjects: (p) => store.listObjects(p),
        listen: (p, onCreated, onError) => store.listenForCreated(p, onCreated, onError),
        submit: async (object, discovery) => {
          const input = await storedObjectInput(store, object.key);
          // On a listing, content that already has a workflow was seen before: not started again.
          if (discovery === 'reconcile' && (await workflowExists(deps, input.contentHash))) return;
          const started = await startIngestion(deps, input, {
            command: 'pipeforge watch',
            sizeBytes: await store.size(object.key),
          });
          report(
            { event: 'started', objectKey: object.key, workflowId: started.workflowId, discovery },
            `${object.key}: started ${started.workflowId}${discovery === 'reconcile' ? ' (found by listing)' : ''}`,
          );
          void awaitIngestion(started.handle).then(
            (summary) => report({ event: 'finished', objectKey: object.key, ...summary }, describeOutcome(summary)),
            (error: unknown) => logger.warn({ err: error, objectKey: object.key }, 'could not follow ingestion'),
          );
        },
        sleep: abortableSleep,
        ...(rescanSeconds > 0 ? { nextRescan: (signal: AbortSignal) => abortableSleep(rescanSeconds * 1000, signal) } : {}),
        onSubmitError: (object, error) => logger.error({ err: error, objectKey: object.key }, 'could not start ingestion'),
        onReconnect: (error, delayMs) =>
          logger.warn({ err: error, delayMs }, 'bucket notifications interrupted; reconnecting'),
      },
      { prefix, signal: controller.signal },
    );
    report({ event: 'stopped' }, 'stopped watching');
    return 0;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await client.connection.close();
    // MinIO's notification long-poll cannot be aborted and would hold the process open until its
    // next keep-alive; nothing is left to do, so do not wait for it.
    setTimeout(() => process.exit(process.exitCode ?? 0), 500).unref();
  }
});

async function workflowExists(deps: SubmitDeps, contentHash: string): Promise<boolean> {
  try {
    await deps.client.workflow.getHandle(ingestWorkflowId(contentHash)).describe();
    return true;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
