import { Counter, Histogram, Registry } from 'prom-client';
import type { IngestStatus } from '../workflows/ingest-file-contract.ts';

/**
 * PipeForge's own metrics, beside Temporal's worker metrics on the same endpoint. A registry per
 * worker (not prom-client's global one), so that several workers in one process never collide.
 */
export type PipelineMetrics = {
  registry: Registry;
  rowsRead: Counter;
  rowsLoaded: Counter;
  rowsRejected: Counter;
  files: Counter<'status'>;
  stageDuration: Histogram<'stage' | 'outcome'>;
};

export type FinalFileStatus = Extract<IngestStatus, 'completed' | 'failed' | 'duplicate' | 'cancelled'>;

export function createPipelineMetrics(registry: Registry = new Registry()): PipelineMetrics {
  return {
    registry,
    rowsRead: new Counter({ name: 'pipeforge_rows_read_total', help: 'Data rows read by the parse stage', registers: [registry] }),
    rowsLoaded: new Counter({
      name: 'pipeforge_rows_loaded_total',
      help: 'Order lines loaded into order_items',
      registers: [registry],
    }),
    rowsRejected: new Counter({
      name: 'pipeforge_rows_rejected_total',
      help: 'Rows rejected by the input contract',
      registers: [registry],
    }),
    files: new Counter({
      name: 'pipeforge_files_total',
      help: 'Files that reached a final status (completed, failed, duplicate, cancelled)',
      labelNames: ['status'],
      registers: [registry],
    }),
    stageDuration: new Histogram({
      name: 'pipeforge_stage_duration_seconds',
      help: 'Duration of one activity attempt per stage',
      labelNames: ['stage', 'outcome'],
      // Stages run from milliseconds (a claim) to minutes (a million-line load).
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
      registers: [registry],
    }),
  };
}
