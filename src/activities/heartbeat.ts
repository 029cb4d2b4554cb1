import { Context } from '@temporalio/activity';

/**
 * Heartbeats on a timer while one long statement runs, so the server can tell a slow load from a
 * dead worker. Resolves or rejects as the work does.
 */
export function heartbeatWhile<T>(work: Promise<T>, details?: () => unknown, intervalMs = 5_000): Promise<T> {
  const context = Context.current();
  // Details are repeated, not cleared: a retry after a crash here still finds where to resume.
  const timer = setInterval(() => context.heartbeat(details?.()), intervalMs);
  return work.finally(() => clearInterval(timer));
}

/** The details the previous attempt of this activity last heartbeated, if it matches the shape. */
export function previousHeartbeat<T extends object>(isShape: (value: unknown) => value is T): T | undefined {
  const details: unknown = Context.current().info.heartbeatDetails;
  return isShape(details) ? details : undefined;
}

/**
 * Like heartbeatWhile, with details read now and then by `read` (a query, say): each reading is
 * heartbeated as it arrives, and the timer repeats the latest one, so a slow or failed reading
 * never holds a heartbeat back (a missed heartbeat would look like a dead worker).
 */
export function heartbeatReadingWhile<T, D>(work: Promise<T>, read: () => Promise<D>, intervalMs = 5_000): Promise<T> {
  const context = Context.current();
  let latest: D | undefined;
  let reading = false;
  let finished = false;
  const refresh = () => {
    if (reading || finished) return;
    reading = true;
    read()
      .then((value) => {
        latest = value;
        if (!finished) context.heartbeat(value);
      })
      .catch(() => {
        // Read again at the next interval; the timer goes on with the last reading meanwhile.
      })
      .finally(() => {
        reading = false;
      });
  };
  refresh();
  const timer = setInterval(refresh, intervalMs);
  return heartbeatWhile(work, () => latest, intervalMs).finally(() => {
    finished = true;
    clearInterval(timer);
  });
}
