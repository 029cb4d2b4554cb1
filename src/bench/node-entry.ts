import { fileURLToPath } from 'node:url';

/** The repository root, where the child processes run as `npm run` would run them. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The production entry points the bench drives, never in-process copies of them. */
export const WORKER_ENTRY = fileURLToPath(new URL('../worker.ts', import.meta.url));
export const CLI_ENTRY = fileURLToPath(new URL('../client/cli.ts', import.meta.url));
