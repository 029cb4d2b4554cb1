import { parseArgs } from 'node:util';
import { loadTemporalConfig } from '../../config.ts';
import type { Logger } from '../../logger.ts';
import { ingestProgressQuery } from '../../workflows/ingest-file-contract.ts';
import { awaitIngestion, type IngestHandle } from '../await-ingestion.ts';
import { out } from '../output.ts';
import { describeOutcome } from '../progress/describe-outcome.ts';
import { connectClient } from '../temporal-client.ts';
import { resolveWorkflowId } from './status.ts';

const TOO_LATE =
  'its load had already committed, so it was finished instead of cancelled: undoing a committed load ' +
  'would lose the orders it replaced';

/**
 * Cancels a running ingestion. Before its load commits, the workflow removes everything the file
 * wrote (staging rows, rejects, its ingestion_files row) and ends Cancelled, as if it never
 * started. After the commit the cancel is too late and the file completes.
 */
export async function cancelCommand(args: string[], _logger: Logger): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean', default: false } } });
  const id = positionals[0];
  if (!id) {
    out.error('usage: pipeforge cancel ID [--json]   (file id, content hash or workflow id)');
    return 2;
  }
  const workflowId = await resolveWorkflowId(id);
  const client = await connectClient(loadTemporalConfig());
  try {
    const handle: IngestHandle = client.workflow.getHandle(workflowId);
    const status = (await handle.describe()).status.name;
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
}
