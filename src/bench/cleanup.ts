export type Cleanup = {
  /** Registers a step; the returned function unregisters it once it was done the normal way. */
  add(step: () => Promise<unknown>): () => void;
  /** Runs the registered steps, last registered first, each once; a failing step does not skip the rest. Runs once. */
  run(): Promise<void>;
};

/**
 * What must be undone however the bench ends (finished, failed, Ctrl-C): worker processes before
 * the servers they talk to, the servers before their data directory.
 */
export function createCleanup(onError: (error: unknown) => void): Cleanup {
  const steps: Array<() => Promise<unknown>> = [];
  // A Ctrl-C also fails the step in flight, so the signal handler and the main flow's `finally`
  // both run the cleanup: the second caller must wait for the first one's run, not find it empty.
  let running: Promise<void> | undefined;
  const runSteps = async () => {
    while (steps.length > 0) {
      const step = steps.pop();
      try {
        await step?.();
      } catch (error) {
        onError(error);
      }
    }
  };
  return {
    add(step) {
      steps.push(step);
      return () => {
        const index = steps.indexOf(step);
        if (index >= 0) steps.splice(index, 1);
      };
    },
    run() {
      running ??= runSteps();
      return running;
    },
  };
}
