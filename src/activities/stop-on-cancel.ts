import { Readable } from 'node:stream';
import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import type { ObjectStore } from '../storage/object-store.ts';

/** The cancellation signal of the activity running on this async path, if any. */
function activitySignal(): AbortSignal | undefined {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return undefined;
  }
}

async function* endAtLineOnAbort(source: Readable, signal: AbortSignal): AsyncGenerator<Buffer> {
  for await (const chunk of source as AsyncIterable<Buffer>) {
    if (!signal.aborted) {
      yield chunk;
      continue;
    }
    const lastBreak = chunk.lastIndexOf(0x0a);
    if (lastBreak >= 0) yield chunk.subarray(0, lastBreak + 1);
    return; // leaving the loop destroys the source
  }
}

/**
 * An object store whose reads, inside an activity, end quietly at a line break once that activity
 * is cancelled. A stage reading the file then finishes its current batch and returns, rather than
 * reading to the end or failing halfway with writes still in flight, and the workflow's cleanup
 * runs after it has really stopped.
 */
export function storeEndingOnCancel(store: ObjectStore): ObjectStore {
  return {
    ...store,
    async read(key, range) {
      const source = await store.read(key, range);
      const signal = activitySignal();
      return signal ? Readable.from(endAtLineOnAbort(source, signal), { objectMode: false }) : source;
    },
    // Cut after inflating: a gzip stream cut at a line break of its compressed bytes is damaged.
    async readContent(key, filename) {
      const content = await store.readContent(key, filename);
      const signal = activitySignal();
      return signal ? { ...content, stream: Readable.from(endAtLineOnAbort(content.stream, signal), { objectMode: false }) } : content;
    },
  };
}

/**
 * Reports a cancelled activity as cancelled, whatever it returned or threw after the cancel: a
 * stage stopped early must not pass its partial result on as if it were complete.
 */
export function reportCancellation<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A): Promise<R> => {
    const signal = activitySignal();
    let result: R;
    try {
      result = await fn(...args);
    } catch (error) {
      if (signal?.aborted) throw new CancelledFailure('the ingestion was cancelled', [], error instanceof Error ? error : undefined);
      throw error;
    }
    if (signal?.aborted) throw new CancelledFailure('the ingestion was cancelled');
    return result;
  };
}
