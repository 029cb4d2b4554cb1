import { acceptsConnections, ServiceUnreachableError, type Endpoint } from './reachability.ts';

const PROBE_INTERVAL_MS = 1_000;
/** Two misses in a row: a single slow accept is not a stopped server. */
const MISSES = 2;

/**
 * Waits for `work` while checking that the server still accepts connections. The Temporal client
 * keeps retrying a stopped server for a long while before it gives up with an error of its own;
 * a person following a file wants to hear at once that the stack went away.
 */
export async function whileReachable<T>(endpoint: Endpoint, work: Promise<T>, lostWhile: string): Promise<T> {
  let settled = false;
  const watching = work.finally(() => {
    settled = true;
  });
  const lost = (async (): Promise<never> => {
    let misses = 0;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS).unref());
      if (settled) return new Promise<never>(() => undefined);
      misses = (await acceptsConnections(endpoint, PROBE_INTERVAL_MS)) ? 0 : misses + 1;
      if (misses >= MISSES && !settled) throw new ServiceUnreachableError(endpoint, { lost: true, after: lostWhile });
    }
  })();
  // Whichever loses the race must not surface later as an unhandled rejection.
  watching.catch(() => undefined);
  lost.catch(() => undefined);
  return Promise.race([watching, lost]);
}

/**
 * Runs work with a Temporal client and closes it after, unless the server went away: a closed
 * client's pending retries then throw from a timer and crash the process before it can exit.
 */
export async function usingClient<T>(client: { connection: { close(): Promise<void> } }, work: () => Promise<T>): Promise<T> {
  let lost = false;
  try {
    return await work();
  } catch (error) {
    lost = error instanceof ServiceUnreachableError && error.lost;
    throw error;
  } finally {
    if (!lost) await client.connection.close();
  }
}
