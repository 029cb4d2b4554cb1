/**
 * Reads a workflow's state every `intervalMs` until `isFinished`, and hands each value that differs
 * from the last one to `onChange`. A read that fails (no worker has picked the workflow up yet, or a
 * run is between two continue-as-new runs) is skipped: the next poll retries.
 */
export async function pollChanges<T>(
  read: () => Promise<T>,
  onChange: (value: T) => void,
  isFinished: () => boolean,
  intervalMs: number,
): Promise<void> {
  let last = '';
  while (!isFinished()) {
    try {
      const value = await read();
      const key = JSON.stringify(value);
      if (key !== last && !isFinished()) onChange(value);
      last = key;
    } catch {
      // Retried at the next poll, see above.
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
