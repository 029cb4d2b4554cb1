import type { LoadEvent } from '../db/load-staged-file.ts';
import type { LoadHeartbeatDetails, LoadStep } from '../workflows/ingest-file-contract.ts';

/**
 * Rough shares of a load's time by step, only for the progress a client shows: the order lines
 * are the most rows and the most index entries, the orders one row per order, the indexes a build
 * over the whole of both tables, the first and last steps a pass over the file's customers,
 * products and prices.
 */
const WEIGHTS = { prepare: 1, orders: 2, orderLines: 4, indexes: 2, finish: 1 } as const;

type ChunkState = 'orders' | 'order-lines' | 'committed';
const CHUNK_ORDER: readonly ChunkState[] = ['orders', 'order-lines', 'committed'];

export type LoadSteps = {
  observe(event: LoadEvent): void;
  /** Where the load is, for its heartbeat; empty until its first step begins. */
  details(): Pick<LoadHeartbeatDetails, 'step' | 'stepsDone'>;
};

/**
 * Follows a load's steps and gives the share of its work behind it. Every event only moves the
 * load forward (a transaction retried after a deadlock tells a chunk's steps again), so the share
 * heartbeated never goes back within an attempt.
 */
export function trackLoadSteps(): LoadSteps {
  let begun = false;
  let plan: { rebuildsIndexes: boolean; chunks: number } | null = null;
  let after: 'indexes' | 'finish' | null = null;
  const chunks = new Map<number, ChunkState>();

  const chunkWork = (state: ChunkState | undefined): number =>
    state === 'committed' ? WEIGHTS.orders + WEIGHTS.orderLines : state === 'order-lines' ? WEIGHTS.orders : 0;

  return {
    observe(event) {
      begun = true;
      if (event.step === 'prepare') return;
      plan = event.plan;
      if ('chunk' in event) {
        const before = chunks.get(event.chunk);
        if (before === undefined || CHUNK_ORDER.indexOf(event.step) > CHUNK_ORDER.indexOf(before)) chunks.set(event.chunk, event.step);
      } else if (after !== 'finish') {
        after = event.step;
      }
    },
    details() {
      if (!begun) return {};
      if (plan === null) return { step: 'prepare', stepsDone: 0 };
      const total =
        WEIGHTS.prepare + WEIGHTS.orders + WEIGHTS.orderLines + (plan.rebuildsIndexes ? WEIGHTS.indexes : 0) + WEIGHTS.finish;
      const chunkStates = Array.from({ length: plan.chunks }, (_, chunk) => chunks.get(chunk));
      let done = WEIGHTS.prepare;
      let step: LoadStep;
      if (after === 'finish') {
        done += WEIGHTS.orders + WEIGHTS.orderLines + (plan.rebuildsIndexes ? WEIGHTS.indexes : 0);
        step = 'finish';
      } else if (after === 'indexes') {
        done += WEIGHTS.orders + WEIGHTS.orderLines;
        step = 'indexes';
      } else {
        done += chunkStates.reduce((sum, state) => sum + chunkWork(state), 0) / plan.chunks;
        // The chunk least far names the step: the load waits for it.
        step = chunkStates.some((state) => state === undefined || state === 'orders') ? 'orders' : 'order-lines';
      }
      return { step, stepsDone: done / total };
    },
  };
}
