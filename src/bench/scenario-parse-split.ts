import { appendFile, copyFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256File } from '../client/submit-file.ts';
import { ingestWorkflowId } from '../workflows/ingest-file-contract.ts';
import { stageTimingsOfFile, withWorkers, type BenchContext } from './bench-context.ts';
import { ensureBenchFile, type BenchFileSpec } from './bench-files.ts';
import type { ParseSplitResult } from './bench-results.ts';
import { runIngestCli } from './ingest-cli.ts';
import { rowsLabel, seconds } from './measures.ts';

/**
 * The parse of one file as one activity, then split in two activities taken by two worker
 * processes, as a user who adds a worker gets it. Each run ingests its own copy of the file (a
 * trailing blank line makes the content new, and adds no row), so neither is a duplicate; both
 * replace the orders the first load wrote, which does not touch the parse's time.
 */
export async function measureParseSplit(context: BenchContext, spec: BenchFileSpec): Promise<ParseSplitResult> {
  const path = await ensureBenchFile(spec);
  const { size } = await stat(path);
  context.say(`parse of one ${rowsLabel(spec.rows)}-line file in 1 activity, then in 2 on two workers`);
  const one = await parseSeconds(context, await copyWithBlankLines(context, path, 1), size + 1, 1);
  context.say(`  in 1 activity: ${seconds(one.parseSeconds)}`);
  const two = await parseSeconds(context, await copyWithBlankLines(context, path, 2), Math.ceil(size / 2), 2);
  context.say(`  in 2 activities: ${seconds(two.parseSeconds)} (on ${two.workersUsed} worker${two.workersUsed === 1 ? '' : 's'})`);
  return { rows: spec.rows, oneActivitySeconds: one.parseSeconds, twoActivitiesSeconds: two.parseSeconds, workersUsed: two.workersUsed };
}

async function copyWithBlankLines(context: BenchContext, path: string, blankLines: number): Promise<string> {
  const copy = join(context.workDir, `parse-split-${blankLines}.csv`);
  await copyFile(path, copy);
  await appendFile(copy, '\n'.repeat(blankLines));
  return copy;
}

/** Ingests the file on `workers` fresh workers whose hash stage cuts it into parts of `rangeBytes`. */
async function parseSeconds(
  context: BenchContext,
  path: string,
  rangeBytes: number,
  workers: number,
): Promise<{ parseSeconds: number; workersUsed: number }> {
  const env = { ...context.env, PIPEFORGE_PARSE_RANGE_BYTES: String(rangeBytes) };
  await withWorkers({ ...context, env }, workers, () => runIngestCli(env, [path]));
  const timings = await stageTimingsOfFile(context, path);
  return { parseSeconds: timings.stages.parseToStaging, workersUsed: await parseWorkers(context, path) };
}

/** How many distinct workers started the file's parse activities. */
async function parseWorkers(context: BenchContext, path: string): Promise<number> {
  const history = await context.client.workflow.getHandle(ingestWorkflowId(await sha256File(path))).fetchHistory();
  const events = history.events ?? [];
  const parseScheduled = new Set(
    events
      .filter((event) => ['parseRange', 'parseToStaging'].includes(event.activityTaskScheduledEventAttributes?.activityType?.name ?? ''))
      .map((event) => String(event.eventId)),
  );
  const identities = events
    .map((event) => event.activityTaskStartedEventAttributes)
    .filter((started) => started && parseScheduled.has(String(started.scheduledEventId)))
    .map((started) => started?.identity ?? '');
  return new Set(identities).size;
}
