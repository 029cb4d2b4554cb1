import { WorkflowNotFoundError, type WorkflowExecutionDescription } from '@temporalio/client';
import { loadDatabaseConfig, loadTemporalConfig } from '../../config.ts';
import { findFile } from '../../db/ingestion-files.ts';
import { createDatabasePool } from '../../db/pool.ts';
import { IngestSearchAttributes, ingestWorkflowId } from '../../workflows/ingest-file-contract.ts';
import { awaitIngestion, readLiveProgress } from '../await-ingestion.ts';
import { CommandError } from '../command-error.ts';
import { commandRunner } from '../command-line/run.ts';
import { STATUS } from '../command-specs/ingestion.ts';
import { usingClient, whileReachable } from '../connection-watch.ts';
import { out } from '../output.ts';
import { terminalProgressDisplay } from '../progress/terminal-display.ts';
import { statusLines, statusView } from '../status-view.ts';
import { databaseEndpoint, ensureReachable, temporalEndpoint } from '../reachability.ts';
import type { IngestHandle } from '../await-ingestion.ts';
import { connectClient } from '../temporal-client.ts';

const LIST_HINT = '`pipeforge files` lists the recent files';

/** Accepts what a user has at hand: a workflow id, a content hash, or an ingestion file id. */
export async function resolveWorkflowId(id: string): Promise<string> {
  if (id.startsWith('ingest-')) return id;
  if (/^[0-9a-f]{64}$/.test(id)) return ingestWorkflowId(id);
  const database = loadDatabaseConfig();
  await ensureReachable(databaseEndpoint(database));
  const pool = await createDatabasePool(database);
  try {
    const file = await findFile(pool, id);
    if (!file) throw new CommandError(`no ingestion file, content hash or workflow has the id ${id}; ${LIST_HINT}`);
    return ingestWorkflowId(file.contentHash);
  } finally {
    await pool.end();
  }
}

/** The execution's description, or one line saying there is no such workflow. */
export async function describeIngestion(handle: IngestHandle): Promise<WorkflowExecutionDescription> {
  try {
    return await handle.describe();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw new CommandError(`no workflow has the id ${handle.workflowId}; ${LIST_HINT}`);
    throw error;
  }
}

export const statusCommand = commandRunner('status', STATUS, async ({ values, args }) => {
  const temporal = loadTemporalConfig();
  const workflowId = await resolveWorkflowId(args.id);
  await ensureReachable(temporalEndpoint(temporal));
  const client = await connectClient(temporal);
  return usingClient(client, async () => {
    const handle: IngestHandle = client.workflow.getHandle(workflowId);
    if (values.follow) {
      // Follows the latest run to its end, drawing the same progress as `ingest --wait`.
      const running = await describeIngestion(handle);
      const filename = running.typedSearchAttributes.get(IngestSearchAttributes.filename) ?? workflowId;
      const display = values.json ? null : terminalProgressDisplay([filename]);
      const following = awaitIngestion(handle, (progress) => display?.update(0, progress));
      const summary = await whileReachable(temporalEndpoint(temporal), following, `while following ${workflowId}`);
      display?.finish(0, summary);
      if (!values.json) return summary.status === 'failed' || summary.status === 'cancelled' ? 1 : 0;
    }
    const description = await describeIngestion(handle);
    const progress = await readLiveProgress(handle).catch(() => null);
    const view = await statusView(handle, description, progress);
    if (values.json) out.json(view);
    else for (const line of statusLines(view)) out.line(line);
    return 0;
  });
});
