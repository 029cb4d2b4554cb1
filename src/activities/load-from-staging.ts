import { loadStagedFile, type LoadResult } from '../db/load-staged-file.ts';
import { toActivityFailure } from './failures.ts';
import type { ActivityDeps } from './deps.ts';
import { heartbeatWhile } from './heartbeat.ts';

export type LoadInput = { fileId: string };

/**
 * Stage 3, load: one transaction moves the staged lines into customers, products, orders and
 * order_items. It either commits whole or not at all, and a retry after a commit is a no-op.
 */
export function createLoadFromStaging({ pool, pipeline, logger }: ActivityDeps) {
  return async function loadFromStaging(input: LoadInput): Promise<LoadResult> {
    try {
      const result = await heartbeatWhile(loadStagedFile(pool, input.fileId, pipeline.businessTimeZone));
      logger.info({ fileId: input.fileId, stage: 'load', rowsLoaded: result.rowsLoaded }, 'loaded file');
      return result;
    } catch (error) {
      throw toActivityFailure(error);
    }
  };
}
