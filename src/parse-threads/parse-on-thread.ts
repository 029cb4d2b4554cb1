import type { Worker } from 'node:worker_threads';
import { InvalidFileError, MissingObjectError } from '../errors.ts';
import type { FromThread, ParseJob, StagedReport, ThreadError, ToThread } from './protocol.ts';

export type ThreadLogger = { info(details: object, message: string): void; warn(details: object, message: string): void };

/** Set when the thread itself broke (it threw outside a job, or exited): it must not be reused. */
export type ThreadHealth = { broken: boolean };

/**
 * Runs one job on an idle thread: yields each batch once the thread has staged it, in order
 * (telling it each time one was taken, which lets it read on), and ends as the thread's reading
 * ends. Stopping early (a failed write, say) tells the thread to stop and waits until it has, so
 * it is idle again. When `signal` aborts (the activity was cancelled) the thread stops after the
 * COPY in flight and the job ends as if the file ended there, like a read cut at a line break.
 */
export async function* parseOnThread(
  thread: Worker,
  job: ParseJob,
  log: ThreadLogger,
  health: ThreadHealth,
  signal?: AbortSignal,
): AsyncGenerator<StagedReport, void, undefined> {
  const send = (message: ToThread): void => thread.postMessage(message);
  const endings: FromThread[] = [];
  const reports: StagedReport[] = [];
  let threadFailure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  const waitForNews = () => new Promise<void>((resolve) => (wake = resolve));

  const onMessage = (message: FromThread): void => {
    if (message.type === 'log') return log[message.level](message.details, message.message);
    if (message.type === 'staged') reports.push(message.report);
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
  const onAbort = (): void => send({ type: 'stop' });

  let finished = false;
  try {
    send({ type: 'start', job });
    if (signal?.aborted === true) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    for (;;) {
      const report = reports.shift();
      if (report !== undefined) {
        yield report;
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
      if (ending.type === 'failed') throw fromThreadError(ending.error);
      return;
    }
  } finally {
    // From here the thread may be given another job: nothing of this one may reach it.
    signal?.removeEventListener('abort', onAbort);
    if (!finished && threadFailure === undefined) {
      send({ type: 'stop' });
      while (endings.length === 0 && threadFailure === undefined) await waitForNews();
    }
    thread.off('message', onMessage).off('error', onError).off('exit', onExit);
  }
}

function fromThreadError(error: ThreadError): Error {
  if (error.kind === 'invalid-file') return new InvalidFileError(error.reason, { filename: error.filename, line: error.line });
  if (error.kind === 'missing-object') return new MissingObjectError(error.objectKey);
  const rebuilt = new Error(error.message);
  rebuilt.name = error.name;
  if (error.stack !== undefined) rebuilt.stack = error.stack;
  return rebuilt;
}
