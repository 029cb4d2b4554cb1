import { parseArgs } from 'node:util';
import { loadDatabaseConfig, loadTemporalConfig } from '../../config.ts';
import { findFile } from '../../db/ingestion-files.ts';
import { createDatabasePool } from '../../db/pool.ts';
import type { Logger } from '../../logger.ts';
import { type IngestProgress, ingestProgressQuery, IngestSearchAttributes, ingestWorkflowId } from '../../workflows/ingest-file-contract.ts';
import { awaitIngestion, type IngestHandle } from '../await-ingestion.ts';
import { out } from '../output.ts';
import { terminalProgressDisplay } from '../progress/terminal-display.ts';
import { connectClient } from '../temporal-client.ts';

/** Accepts what a user has at hand: a workflow id, a content hash, or an ingestion file id. */
export async function resolveWorkflowId(id: string): Promise<string> {
  if (id.startsWith('ingest-')) return id;
  if (/^[0-9a-f]{64}$/.test(id)) return ingestWorkflowId(id);
  const pool = await createDatabasePool(loadDatabaseConfig());
  try {
    const file = await findFile(pool, id);
    if (!file) throw new Error(`no ingestion file, content hash or workflow has the id ${id}`);
    return ingestWorkflowId(file.contentHash);
  } finally {
    await pool.end();
  }
}

export async function statusCommand(args: string[], _logger: Logger): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, follow: { type: 'boolean', short: 'f' } },
  });
  const id = positionals[0];
  if (!id) {
    out.error('usage: pipeforge status ID [--follow] [--json]   (workflow id, content hash or file id)');
    return 2;
  }
  const workflowId = await resolveWorkflowId(id);
  const client = await connectClient(loadTemporalConfig());
  try {
    const handle: IngestHandle = client.workflow.getHandle(workflowId);
    if (values.follow) {
      // Follows the latest run to its end, drawing the same progress as `ingest --wait`.
      const running = await handle.describe();
      const filename = running.typedSearchAttributes.get(IngestSearchAttributes.filename) ?? workflowId;
      const display = values.json ? null : terminalProgressDisplay([filename]);
      const summary = await awaitIngestion(handle, (progress) => display?.update(0, progress));
      display?.finish(0, summary);
      if (!values.json) return summary.status === 'failed' || summary.status === 'cancelled' ? 1 : 0;
    }
    const description = await handle.describe();
    const attributes = description.typedSearchAttributes;
    const progress: IngestProgress | null = await handle.query(ingestProgressQuery).catch(() => null);
    const status = {
      workflowId,
      runId: description.runId,
      workflowStatus: description.status.name,
      ingestStatus: attributes.get(IngestSearchAttributes.ingestStatus) ?? null,
      fileId: attributes.get(IngestSearchAttributes.ingestionFileId) ?? null,
      filename: attributes.get(IngestSearchAttributes.filename) ?? null,
      startedAt: description.startTime.toISOString(),
      closedAt: description.closeTime?.toISOString() ?? null,
      progress,
    };
    if (values.json) {
      out.json(status);
    } else {
      for (const [key, value] of Object.entries(status)) {
        out.line(`${key.padEnd(15)} ${typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)}`);
      }
    }
    return 0;
  } finally {
    await client.connection.close();
  }
}
