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
