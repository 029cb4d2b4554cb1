import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { topAggregateRows } from '../../db/sales-report.ts';
import { generateOrderLines } from '../../sample/generate-order-lines.ts';
import { deleteDataDir } from '../../stack/local-stack.ts';
import { commandRunner } from '../command-line/run.ts';
import { DEMO } from '../command-specs/stack.ts';
import { startEmbeddedPipeline } from '../embedded-pipeline.ts';
import { formatCount } from '../number-format.ts';
import { formatTable, out } from '../output.ts';
import { terminalProgressDisplay } from '../progress/terminal-display.ts';
import { awaitSubmitted, submitFile } from '../submit-file.ts';
import { connectClient } from '../temporal-client.ts';

const DEMO_ROWS = 5_000;

/**
 * The README's main job in one command: a throwaway local stack, a generated export of order
 * lines, one ingestion through the real workflow, the summary and the top aggregate rows.
 */
export const demoCommand = commandRunner('demo', DEMO, async (_parsed, logger) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'pipeforge-demo-'));
  try {
    out.line('Starting Temporal, MinIO and PostgreSQL on loopback (the first run builds Temporal and MinIO)...');
    const pipeline = await startEmbeddedPipeline({ dataDir, fresh: true, logger });
    try {
      const samplePath = join(dataDir, 'orders-demo.csv');
      await writeFile(samplePath, await buffer(generateOrderLines({ rows: DEMO_ROWS, seed: 42, days: 14 })));
      out.line(`Generated ${formatCount(DEMO_ROWS)} order lines in ${samplePath}`);

      const summary = await pipeline.worker.runUntil(async () => {
        const client = await connectClient(pipeline.config.temporal);
        try {
          const submitted = await submitFile(
            { client, store: pipeline.store, taskQueue: pipeline.config.temporal.taskQueue },
            samplePath,
          );
          out.line(`Started workflow ${submitted.workflowId}`);
          // The same progress as `ingest --wait`: a bar on a terminal, a line per stage in a pipe.
          const display = terminalProgressDisplay([submitted.filename]);
          const summary = await awaitSubmitted(submitted, (progress) => display.update(0, progress));
          display.finish(0, summary);
          return summary;
        } finally {
          await client.connection.close();
        }
      });

      out.line('');
      out.line('Top rows of sales_aggregates_daily by revenue:');
      out.line(formatTable(await topAggregateRows(pipeline.pool, 10)));
      return summary.status === 'completed' ? 0 : 1;
    } finally {
      await pipeline.close();
    }
  } finally {
    await deleteDataDir(dataDir);
  }
});
