import { loadTemporalConfig } from '../../config.ts';
import { ingestProgressQuery } from '../../workflows/ingest-file-contract.ts';
import { awaitIngestion } from '../await-ingestion.ts';
import { commandRunner } from '../command-line/run.ts';
import { CANCEL } from '../command-specs/ingestion.ts';
import { out } from '../output.ts';
import { describeOutcome } from '../progress/describe-outcome.ts';
import { ensureReachable, temporalEndpoint } from '../reachability.ts';
import type { IngestHandle } from '../await-ingestion.ts';
import { connectClient } from '../temporal-client.ts';
import { describeIngestion, resolveWorkflowId } from './status.ts';

const TOO_LATE =
  'its load had already committed, so it was finished instead of cancelled: undoing a committed load ' +
  'would lose the orders it replaced';

/**
 * Cancels a running ingestion. Before its load commits, the workflow removes everything the file
 * wrote (staging rows, rejects, its ingestion_files row) and ends Cancelled, as if it never
 * started. After the commit the cancel is too late and the file completes.
 */
export const cancelCommand = commandRunner('cancel', CANCEL, async ({ values, args }) => {
  const temporal = loadTemporalConfig();
  const workflowId = await resolveWorkflowId(args.id);
  await ensureReachable(temporalEndpoint(temporal));
  const client = await connectClient(temporal);
  try {
    const handle: IngestHandle = client.workflow.getHandle(workflowId);
    const status = (await describeIngestion(handle)).status.name;
    if (status !== 'RUNNING') {
      out.error(`${workflowId} is not running (${status.toLowerCase()}); there is nothing to cancel`);
      return 1;
    }
    const progress = await handle.query(ingestProgressQuery).catch(() => null);
    if (progress && (progress.stage === 'aggregate' || progress.stage === 'done')) {
      out.error(`${workflowId} is not cancelled: ${TOO_LATE}`);
      return 1;
    }
    await handle.cancel();
    if (!values.json) out.line(`${workflowId}: cancel requested; waiting for the running stage to stop…`);
    const summary = await awaitIngestion(handle);
    if (values.json) out.json(summary);
    else out.line(summary.status === 'cancelled' ? describeOutcome(summary) : `${summary.filename}: ${TOO_LATE}. ${describeOutcome(summary)}`);
    return summary.status === 'cancelled' ? 0 : 1;
  } finally {
    await client.connection.close();
  }
});
