import { writeFile } from 'node:fs/promises';
import { bundleWorkflowCode } from '@temporalio/worker';

/**
 * `node src/worker/workflow-bundle-build.ts WORKFLOWS_PATH OUTPUT_PATH`: bundles the workflows with
 * webpack and writes the code to OUTPUT_PATH. Run as its own short-lived process (see
 * workflow-bundle.ts) so webpack's memory peak never lands in the worker's resident set.
 */
async function main(): Promise<void> {
  const [workflowsPath, outputPath] = process.argv.slice(2);
  if (!workflowsPath || !outputPath) throw new Error('usage: workflow-bundle-build.ts WORKFLOWS_PATH OUTPUT_PATH');
  const bundle = await bundleWorkflowCode({ workflowsPath, logger: warningsToStderr });
  await writeFile(outputPath, bundle.code);
}

/** The parent logs whatever arrives on stderr; progress chatter would only be noise there. */
const noop = () => undefined;
const toStderr = (message: string) => process.stderr.write(`${message}\n`);
const warningsToStderr = { log: noop, trace: noop, debug: noop, info: noop, warn: toStderr, error: toStderr };

if (import.meta.main) {
  main().catch((error: unknown) => {
    process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
    process.exitCode = 1;
  });
}
