import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';

/** The cancellation signal of the activity running on this async path, if any. */
function activitySignal(): AbortSignal | undefined {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return undefined;
  }
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
