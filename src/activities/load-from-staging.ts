import { readLoadProgress, type LoadProgress } from '../db/committed-chunks.ts';
import { loadStagedFile, type LoadResult } from '../db/load-staged-file.ts';
import { toActivityFailure } from './failures.ts';
import type { ActivityDeps } from './deps.ts';
import { heartbeatReadingWhile } from './heartbeat.ts';

/** What the load heartbeats: its committed chunks and their rows, for a client to show progress. */
export type LoadHeartbeatDetails = LoadProgress;

export type LoadInput = { fileId: string };

/**
 * Stage 3, load: one transaction moves the staged lines into customers, products, orders and
 * order_items. It either commits whole or not at all, and a retry after a commit is a no-op.
 */
export function createLoadFromStaging({ pool, pipeline, logger }: ActivityDeps) {
  return async function loadFromStaging(input: LoadInput): Promise<LoadResult> {
    try {
      // The last step clears the chunk rows: the count shown never goes back.
      let shown: LoadHeartbeatDetails = { chunksDone: 0, rowsLoaded: 0 };
      const readProgress = async (): Promise<LoadHeartbeatDetails> => {
        const read = await readLoadProgress(pool, input.fileId);
        if (read.rowsLoaded >= shown.rowsLoaded) shown = read;
        return shown;
      };
      const result = await heartbeatReadingWhile(loadStagedFile(pool, input.fileId, pipeline.businessTimeZone), readProgress);
      logger.info({ fileId: input.fileId, stage: 'load', rowsLoaded: result.rowsLoaded }, 'loaded file');
      return result;
    } catch (error) {
      throw toActivityFailure(error);
    }
  };
}
