import { setTimeout as sleep } from 'node:timers/promises';

export type WaitOptions = {
  /** Names what is awaited, for the timeout message. */
  what: string;
  timeoutMs: number;
  intervalMs?: number;
  /** Aborted when waiting is pointless, e.g. the process being probed has exited. */
  signal?: AbortSignal;
};

/** Polls `probe` until it returns true, surfacing the last probe error if time runs out. */
export async function waitUntil(probe: () => Promise<boolean>, options: WaitOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      if (await probe()) return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const detail = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`${options.what} did not become ready within ${options.timeoutMs / 1000} s${detail}`, {
        cause: lastError,
      });
    }
    try {
      await sleep(options.intervalMs ?? 250, undefined, options.signal ? { signal: options.signal } : {});
    } catch {
      options.signal?.throwIfAborted();
    }
  }
}

/** True when an HTTP GET answers with the expected status; connection errors count as not yet. */
export async function httpAnswers(url: string, expectedStatus = 200): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.status === expectedStatus;
  } catch {
    return false;
  }
}
