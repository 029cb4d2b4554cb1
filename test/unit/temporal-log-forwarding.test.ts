import { describe, expect, it } from '@jest/globals';
import { ApplicationFailure } from '@temporalio/common';
import { Writable } from 'node:stream';
import { InvalidFileError } from '../../src/errors.ts';
import { createLogger } from '../../src/logger.ts';
import { toTemporalLogger } from '../../src/worker/temporal-log-forwarding.ts';
import { IngestFailureTypes } from '../../src/workflows/ingest-file-contract.ts';
import type { LogLevel } from '../../src/config.ts';

const TASK_TOKEN = 'CiQwMWEyMzNlYS02OTRkLTdjZDYtODg5ZC04MjNjMmE2ODJjMmQ=';
const RUN = { workflowId: 'ingest-abc', workflowType: 'ingestFileWorkflow' };

function forwarded(level: LogLevel = 'info') {
  const lines: Array<Record<string, unknown>> = [];
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const text of chunk.toString('utf8').split('\n').filter(Boolean)) {
        raw.push(text);
        lines.push(JSON.parse(text) as Record<string, unknown>);
      }
      callback();
    },
  });
  const logger = createLogger(level, { component: 'worker' }, destination, { format: 'json' });
  return { lines, raw, temporal: toTemporalLogger(logger) };
}

/** What the activity boundary throws for an empty file (see activities/failures.ts). */
function emptyFileFailure(): ApplicationFailure {
  const cause = new InvalidFileError('the file is empty: it has no header line', { filename: 'empty.csv' });
  return ApplicationFailure.create({ message: cause.message, type: IngestFailureTypes.invalidFile, nonRetryable: true, cause });
}

/** What the SDK logs when an activity throws, and then when the workflow fails on it. */
function logFailedFile(temporal: ReturnType<typeof forwarded>['temporal'], runId: string, workflowRunId = runId) {
  const failure = emptyFileFailure();
  temporal.warn('Activity failed', { ...RUN, workflowRunId, activityType: 'parseToStaging', taskToken: TASK_TOKEN, attempt: 1, error: failure });
  // The workflow's error crossed a thread (and, under jest, a vm context): only its message and
  // stack are left, on an object that is no instance of this realm's Error.
  const crossed = { message: failure.message, stack: `Error: ${failure.message}\n    at workflow (ingest-file.ts:1:1)` };
  temporal.warn('Workflow failed', { ...RUN, runId, sdkComponent: 'worker', error: crossed });
}

describe('Temporal log lines forwarded into pino', () => {
  it('never carry the task token', () => {
    const { raw, temporal } = forwarded('trace');
    temporal.debug('Activity started', { ...RUN, taskToken: TASK_TOKEN });
    temporal.warn('Activity failed', { ...RUN, taskToken: TASK_TOKEN, error: new Error('connection reset') });
    logFailedFile(temporal, 'run-1');
    expect(raw.length).toBeGreaterThan(0);
    for (const line of raw) expect(line).not.toContain('taskToken');
    for (const line of raw) expect(line).not.toContain(TASK_TOKEN);
  });

  it('log a file refused for its content once, as a warning without a stack', () => {
    const { lines, raw, temporal } = forwarded('info');
    logFailedFile(temporal, 'run-1');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 40,
      component: 'worker',
      msg: 'input file refused',
      failureType: 'InvalidInputFile',
      reason: 'empty.csv: the file is empty: it has no header line',
      activityType: 'parseToStaging',
      workflowId: 'ingest-abc',
    });
    expect(raw[0]).not.toContain('stack');
    expect(raw[0]).not.toContain('"err"');
  });

  it('keep the workflow failure of a refused file at debug, without a stack', () => {
    const { lines, raw, temporal } = forwarded('debug');
    logFailedFile(temporal, 'run-1');
    expect(lines.map((line) => [line.level, line.msg])).toEqual([
      [40, 'input file refused'],
      [20, 'workflow failed on its input file'],
    ]);
    for (const line of raw) expect(line).not.toContain('stack');
  });

  it('still warn with the error when a workflow fails on something else', () => {
    const { lines, temporal } = forwarded('info');
    logFailedFile(temporal, 'run-1', 'run-1');
    temporal.warn('Workflow failed', { ...RUN, runId: 'run-2', error: new Error('empty.csv: the file is empty: it has no header line') });
    temporal.warn('Workflow failed', { ...RUN, runId: 'run-1', error: new Error('database is gone') });
    expect(lines.map((line) => line.msg)).toEqual(['input file refused', 'Workflow failed', 'Workflow failed']);
    expect(lines[2]).toMatchObject({ level: 40, err: { message: 'database is gone' } });
  });

  it('keep the error and its stack of a fault (not an input failure) as pino serialises it', () => {
    const { lines, temporal } = forwarded('info');
    temporal.warn('Activity failed', { ...RUN, taskToken: TASK_TOKEN, error: new Error('connection reset') });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, msg: 'Activity failed', source: 'temporal', err: { type: 'Error', message: 'connection reset' } });
    expect(String((lines[0]?.err as { stack?: unknown }).stack)).toContain('at ');
  });
});
