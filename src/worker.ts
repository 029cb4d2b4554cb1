// The worker process: `npm run worker`, the image's command, and what the tests and the bench
// spawn. The library lives in src/worker/. Only the memory settings are imported statically, so
// that when they are missing the process is replaced before the worker's modules load.
import { applyWorkerMemorySettings } from './worker/memory-settings.ts';

if (import.meta.main) {
  applyWorkerMemorySettings();
  runWorkerProcess().catch(reportFailure);
}

async function runWorkerProcess(): Promise<void> {
  const [{ runWorker }, { ConfigError }] = await Promise.all([import('./worker/run-worker.ts'), import('./errors.ts')]);
  try {
    await runWorker();
  } catch (error) {
    // Configuration problems are the user's to fix: say what is wrong without a stack trace.
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 1;
      return;
    }
    reportFailure(error);
  }
}

function reportFailure(error: unknown): void {
  process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
  process.exitCode = 1;
}
