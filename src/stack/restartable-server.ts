/** One server of the local stack that can be stopped and started again on the same port and data. */
export type ServerControl = {
  readonly running: boolean;
  /** Stops the server; a no-op when it is already stopped. */
  stop(): Promise<void>;
  /** Starts it again with the same port, data and credentials; a no-op when it is running. */
  start(): Promise<void>;
};

type Stoppable = { stop(): Promise<void> };

/**
 * Wraps a started server with the means to start it again. Calls are serialised, so a stop racing
 * a start (or the whole stack's stop racing either) acts on a settled state.
 */
export function restartableServer<T extends Stoppable>(first: T, startAgain: () => Promise<T>): ServerControl {
  let current: T | undefined = first;
  let queue: Promise<unknown> = Promise.resolve();
  const serialised = (work: () => Promise<void>): Promise<void> => {
    const next = queue.then(work);
    queue = next.catch(() => undefined);
    return next;
  };

  return {
    get running() {
      return current !== undefined;
    },
    stop: () =>
      serialised(async () => {
        const server = current;
        current = undefined;
        await server?.stop();
      }),
    start: () =>
      serialised(async () => {
        current ??= await startAgain();
      }),
  };
}
