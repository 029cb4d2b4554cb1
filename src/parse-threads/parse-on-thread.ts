import type { Readable } from 'node:stream';
import type { Worker } from 'node:worker_threads';
import { InvalidFileError } from '../errors.ts';
import type { FromThread, ParseJob, ThreadError, ToThread } from './protocol.ts';
import type { StagedBatch } from './stage-batch.ts';

export type WarnLogger = { warn(details: object, message: string): void };

/** Set when the thread itself broke (it threw outside a job, or exited): it must not be reused. */
export type ThreadHealth = { broken: boolean };

/**
 * Runs one job on an idle thread: answers its pulls with the source's bytes, yields each batch
 * once the thread has staged it, in order (telling it each time one was taken, which lets it read
 * on), and ends as the thread's reading ends. A failure of the source wins over what the thread
 * then reports. Stopping early (a failed write, say) tells the thread to stop and waits until it
 * has, so it is idle again.
 */
export async function* parseOnThread(
  thread: Worker,
  job: ParseJob,
  source: Readable,
  log: WarnLogger,
  health: ThreadHealth,
): AsyncGenerator<StagedBatch, void, undefined> {
  const send = (message: ToThread, transfer?: ArrayBuffer[]): void => thread.postMessage(message, transfer);
  const endings: FromThread[] = [];
  const batches: StagedBatch[] = [];
  let threadFailure: Error | undefined;
  let sourceFailure: unknown;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  const waitForNews = () => new Promise<void>((resolve) => (wake = resolve));

  const chunks = (source as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const feed = (): void => {
    // Once the job has ended the thread may be running another: nothing more goes to it from here.
    chunks.next().then(
      (next) => {
        if (endings.length > 0) return;
        if (next.done === true) return send({ type: 'end' });
        // A copy of exactly the chunk's bytes, moved rather than cloned: a Buffer may be a view
        // into a larger pooled allocation, which a clone would copy whole.
        const chunk = new Uint8Array(next.value);
        send({ type: 'bytes', chunk }, [chunk.buffer]);
      },
      (error: unknown) => {
        if (endings.length > 0) return;
        sourceFailure ??= error;
        send({ type: 'stop' });
      },
    );
  };
  const onMessage = (message: FromThread): void => {
    if (message.type === 'pull') return feed();
    if (message.type === 'warn') return log.warn(message.details, message.message);
    if (message.type === 'staged') batches.push(message.batch);
    else endings.push(message);
    notify();
  };
  const onError = (error: Error): void => {
    health.broken = true;
    threadFailure ??= error;
    notify();
  };
  const onExit = (code: number): void => onError(new Error(`a parse thread exited (code ${code})`));
  thread.on('message', onMessage).on('error', onError).on('exit', onExit);

  let finished = false;
  try {
    send({ type: 'start', job });
    for (;;) {
      const batch = batches.shift();
      if (batch !== undefined) {
        yield batch;
        send({ type: 'taken' });
        continue;
      }
      if (threadFailure !== undefined) throw threadFailure;
      const ending = endings.shift();
      if (ending === undefined) {
        await waitForNews();
        continue;
      }
      finished = true;
      if (sourceFailure !== undefined) throw sourceFailure;
      if (ending.type === 'failed') throw fromThreadError(ending.error);
      return;
    }
  } finally {
    if (!finished && threadFailure === undefined) {
      send({ type: 'stop' });
      while (endings.length === 0 && threadFailure === undefined) await waitForNews();
    }
    thread.off('message', onMessage).off('error', onError).off('exit', onExit);
    source.destroy();
  }
}

function fromThreadError(error: ThreadError): Error {
  if (error.kind === 'invalid-file') return new InvalidFileError(error.reason, { filename: error.filename, line: error.line });
  const rebuilt = new Error(error.message);
  rebuilt.name = error.name;
  if (error.stack !== undefined) rebuilt.stack = error.stack;
  return rebuilt;
}
