import { createInterface } from 'node:readline/promises';
import { loadDatabaseConfig, loadTemporalConfig } from '../../config.ts';
import { findFile } from '../../db/ingestion-files.ts';
import { createDatabasePool } from '../../db/pool.ts';
import { previewRevert, type RevertOutcome } from '../../db/revert-file.ts';
import { containsEmail } from '../../domain/email-in-text.ts';
import { RevertRefusedError, UsageError } from '../../errors.ts';
import { IngestSearchAttributes } from '../../workflows/ingest-file-contract.ts';
import { revertWorkflowId, type RevertSummary } from '../../workflows/revert-file-contract.ts';
import { revertFileWorkflow } from '../../workflows/revert-file.ts';
import { businessTimeZone } from '../business-time-zone.ts';
import { CommandError } from '../command-error.ts';
import { commandRunner } from '../command-line/run.ts';
import { REVERT } from '../command-specs/revert.ts';
import { usingClient, whileReachable } from '../connection-watch.ts';
import { formatCount } from '../number-format.ts';
import { out } from '../output.ts';
import { databaseEndpoint, ensureReachable, temporalEndpoint } from '../reachability.ts';
import { connectClient } from '../temporal-client.ts';

/**
 * Reverts a loaded file through RevertFileWorkflow, after showing what will change: the preview
 * runs the revert's own transaction and rolls it back, so its counts are the revert's. A file
 * reverted before is reported and nothing starts (exit 0); an unknown or unloaded file is refused
 * in one line (exit 1).
 */
export const revertCommand = commandRunner('revert', REVERT, async ({ values, args }) => {
  const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true;
  if (!values.yes && !interactive) throw new UsageError('not a terminal, so nobody can confirm: pass --yes to revert');
  // The reason is stored and travels through Temporal: no customer email may ride along.
  if (values.reason !== undefined && containsEmail(values.reason)) {
    throw new UsageError('--reason looks like it holds an email address, which PipeForge never stores; leave it out');
  }
  const database = loadDatabaseConfig();
  await ensureReachable(databaseEndpoint(database));
  const pool = await createDatabasePool(database);
  let fileId: string;
  let filename: string;
  let preview: RevertOutcome;
  try {
    const file = await findFile(pool, args.fileId);
    if (!file) throw new CommandError(`no ingestion file has the id or content hash ${args.fileId}`);
    fileId = file.id;
    filename = file.filename;
    const previewed = await previewRevert(pool, file.id, {
      reason: values.reason ?? null,
      timeZone: businessTimeZone(),
      retentionDays: retentionDays(),
    }).catch((error: unknown) => {
      throw error instanceof RevertRefusedError ? new CommandError(error.message) : error;
    });
    if (!previewed.revertedNow) {
      const why = previewed.reason ? ` (${previewed.reason})` : '';
      if (values.json) out.json({ fileId, status: 'reverted', revertedNow: false, revertedAt: previewed.revertedAt, reason: previewed.reason });
      else out.line(`${filename}: file ${fileId} was already reverted at ${previewed.revertedAt}${why}; nothing changed`);
      return 0;
    }
    preview = previewed.outcome;
  } finally {
    await pool.end();
  }

  // Beside JSON on stdout, the preview a person confirms goes to stderr.
  const show = values.json ? out.error : out.line;
  if (!values.json || !values.yes) for (const line of previewLines(filename, fileId, preview)) show(line);
  if (!values.yes && !(await confirmed(`Revert file ${fileId}? [y/N] `))) {
    out.line('not reverted; nothing changed');
    return 1;
  }

  const temporal = loadTemporalConfig();
  await ensureReachable(temporalEndpoint(temporal));
  const client = await connectClient(temporal);
  return usingClient(client, async () => {
    const workflowId = revertWorkflowId(fileId);
    const handle = await client.workflow.start(revertFileWorkflow, {
      taskQueue: temporal.taskQueue,
      workflowId,
      args: [{ fileId, reason: values.reason ?? null }],
      // A revert of this file already running is followed instead of started again.
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      typedSearchAttributes: [
        { key: IngestSearchAttributes.ingestionFileId, value: fileId },
        { key: IngestSearchAttributes.filename, value: filename },
        { key: IngestSearchAttributes.ingestStatus, value: 'reverting' },
      ],
      staticSummary: `revert ${filename} (file ${fileId})`,
      ...(values.reason ? { staticDetails: `Reason: ${values.reason}` } : {}),
    });
    if (!values.wait) {
      if (values.json) out.json({ workflowId, fileId, preview });
      else out.line(`${filename}: started ${workflowId}; \`pipeforge files\` shows the file reverted once it is done`);
      return 0;
    }
    const summary = await whileReachable(temporalEndpoint(temporal), handle.result(), `while following ${workflowId}`);
    if (values.json) out.json(summary);
    else out.line(describeReverted(filename, summary));
    return 0;
  });
});

function previewLines(filename: string, fileId: string, outcome: RevertOutcome): string[] {
  return [
    `${filename} (file ${fileId}): reverting it will`,
    `  restore ${formatCount(outcome.ordersRestored)} orders to the version of the latest other file that had them`,
    `  delete ${formatCount(outcome.ordersDeleted)} orders only this file had`,
    `  leave ${formatCount(outcome.ordersUnchanged)} orders that later files replaced since`,
    `  remove ${formatCount(outcome.customersRemoved)} customers and ${formatCount(outcome.productsRemoved)} products only this file brought`,
    `  re-aggregate ${formatCount(outcome.daysAffected)} business days`,
  ];
}

function describeReverted(filename: string, summary: RevertSummary): string {
  if (!summary.revertedNow) return `${filename}: file ${summary.fileId} had been reverted meanwhile, at ${summary.revertedAt}; nothing changed now`;
  return (
    `${filename}: reverted — ${formatCount(summary.ordersRestored)} orders restored, ` +
    `${formatCount(summary.ordersDeleted)} deleted, ${formatCount(summary.daysAggregated)} days aggregated (file ${summary.fileId})`
  );
}

async function confirmed(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await prompt.question(question)).trim());
  } finally {
    prompt.close();
  }
}

/** The worker refuses a file past this too; the preview says so before anything starts. */
function retentionDays(env: NodeJS.ProcessEnv = process.env): number | null {
  const raw = env.PIPEFORGE_REVERT_RETENTION_DAYS;
  if (raw === undefined || raw === '') return null;
  const days = Number(raw);
  if (!Number.isInteger(days) || days < 1) throw new UsageError('PIPEFORGE_REVERT_RETENTION_DAYS must be a whole number of days, at least 1');
  return days;
}
