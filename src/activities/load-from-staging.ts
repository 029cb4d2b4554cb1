import { readLoadProgress, type LoadProgress } from '../db/committed-chunks.ts';
import { loadStagedFile, type LoadResult } from '../db/load-staged-file.ts';
import type { LoadHeartbeatDetails } from '../workflows/ingest-file-contract.ts';
import { toActivityFailure } from './failures.ts';
import type { ActivityDeps } from './deps.ts';
import { heartbeatReadingWhile } from './heartbeat.ts';
import { trackLoadSteps } from './load-steps.ts';

/**
 * How often the load's progress is read and heartbeated. Its steps change within seconds, and a
 * reading of the committed chunks touches only their bookkeeping rows.
 */
const PROGRESS_INTERVAL_MS = 1_000;

export type LoadInput = { fileId: string };

/**
 * Stage 3, load: one transaction moves the staged lines into customers, products, orders and
 * order_items. It either commits whole or not at all, and a retry after a commit is a no-op.
 */
export function createLoadFromStaging({ pool, pipeline, logger }: ActivityDeps) {
  return async function loadFromStaging(input: LoadInput): Promise<LoadResult> {
    try {
      // The last step clears the chunk rows: the count shown never goes back.
      let shown: LoadProgress = { chunksDone: 0, rowsLoaded: 0 };
      const steps = trackLoadSteps();
      // The steps are read with the chunks, never heartbeated on their own: the timer repeats the
      // last reading, which must not carry an earlier step than one already sent.
      const readProgress = async (): Promise<LoadHeartbeatDetails> => {
        const read = await readLoadProgress(pool, input.fileId);
        if (read.rowsLoaded >= shown.rowsLoaded) shown = read;
        return { ...shown, ...steps.details() };
      };
      const loading = loadStagedFile(pool, input.fileId, pipeline.businessTimeZone, (event) => steps.observe(event));
      const result = await heartbeatReadingWhile(loading, readProgress, PROGRESS_INTERVAL_MS);
      logger.info({ fileId: input.fileId, stage: 'load', rowsLoaded: result.rowsLoaded }, 'loaded file');
      return result;
    } catch (error) {
      throw toActivityFailure(error);
    }
  };
}
