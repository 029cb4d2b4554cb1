import { setTimeout as sleep } from 'node:timers/promises';

export type WaitForOptions = { what: string; timeoutMs: number; intervalMs?: number };

/**
 * Polls until `probe` returns a value (not undefined); a probe that throws fails the wait at once.
 * Tests wait on conditions like this, with generous timeouts, rather than on fixed sleeps.
 */
export async function waitFor<T>(probe: () => Promise<T | undefined>, options: WaitForOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new Error(`timed out after ${options.timeoutMs / 1000} s waiting for ${options.what}`);
    await sleep(options.intervalMs ?? 200);
  }
}
