/**
 * Servers must not outlive the process that started them, even when it never reaches `stop()`
 * (an uncaught error, `process.exit`, a signal handler that exits). The 'exit' event allows only
 * synchronous work, so each registered process is signalled without waiting for it.
 */
const guarded = new Map<number, NodeJS.Signals>();
let installed = false;

function killGuarded(): void {
  for (const [pid, signal] of guarded) {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
  guarded.clear();
}

/** Returns the function that releases the guard once the process has been stopped normally. */
export function killOnExit(pid: number, signal: NodeJS.Signals = 'SIGKILL'): () => void {
  if (!installed) {
    process.on('exit', killGuarded);
    installed = true;
  }
  guarded.set(pid, signal);
  return () => {
    guarded.delete(pid);
  };
}
