import { provisionBinaries } from '../../stack/local-stack.ts';
import { commandRunner } from '../command-line/run.ts';
import { PROVISION } from '../command-specs/stack.ts';
import { out } from '../output.ts';

/** Builds the Temporal CLI and MinIO once (minutes) so that later starts take seconds. */
export const provisionCommand = commandRunner('provision', PROVISION, async (_parsed, logger) => {
  const started = performance.now();
  const binaries = await provisionBinaries(logger);
  out.line(`temporal: ${binaries.temporal}`);
  out.line(`minio:    ${binaries.minio}`);
  out.line(`ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return 0;
});
