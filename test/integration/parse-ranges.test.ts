import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { sql } from 'slonik';
import { z } from 'zod';
import { createActivities } from '../../src/activities/index.ts';
import { sha256File } from '../../src/client/submit-file.ts';
import { createLogger } from '../../src/logger.ts';
import { SAMPLE_HEADER } from '../../src/sample/generate-order-lines.ts';
import { uploadKey } from '../../src/storage/object-keys.ts';
import { IngestFailureTypes } from '../../src/workflows/ingest-file-contract.ts';
import { canonicalDump } from '../support/canonical-dump.ts';
import { writeGeneratedFile } from '../support/generated-file.ts';
import { startPipelineHarness, type PipelineHarness } from '../support/pipeline-harness.ts';

/**
 * A file parsed in parts (byte ranges found by the hash stage, each staged by its own activity,
 * then one finishParse) must leave the database exactly as one parse of the whole file does:
 * same lines, line numbers, rejects, cross-line rejects of an order whose lines sit in two parts,
 * and rejects report. One harness parses whole files; the other has a small part size.
 */
const logger = createLogger('warn', { test: 'parse-ranges' });
const PART_BYTES = 48 * 1024;
const rangeRow = z.object({ index: z.number(), firstLine: z.number() });

let whole: PipelineHarness;
let parts: PipelineHarness;
let workDir: string;

beforeAll(async () => {
  [whole, parts] = await Promise.all([startPipelineHarness(), startPipelineHarness({ parseRangeBytes: PART_BYTES })]);
  workDir = await mkdtemp(join(tmpdir(), 'pipeforge-parse-ranges-'));
});

afterAll(async () => {
  await Promise.all([whole?.stop(), parts?.stop()]);
  await rm(workDir, { recursive: true, force: true });
});

const line = (ref: string, product: string, payment = 'card', date = '2026-03-01T10:00:00Z') =>
  `${ref},${date},split@example.com,Nairobi,SKU-X,${product},Home,1,5.00,${payment}`;

/**
 * Generated rows with awkward records spread through them: quoted line breaks, CRLF, blank lines,
 * a ragged and a bad row, and the first and last lines of one order disagreeing on payment.
 */
async function writeAwkwardFile(name: string, extra: (rows: string[]) => void = () => {}): Promise<string> {
  const generated = await writeGeneratedFile(join(workDir, `${name}.generated.csv`), { rows: 2_000, seed: 31, days: 10 });
  const rows = (await readFile(generated, 'utf8')).split('\n').filter((row) => row !== '');
  expect(rows[0]).toBe(SAMPLE_HEADER);
  const at = (fraction: number) => Math.floor(fraction * rows.length);
  rows.splice(1, 0, line('X-SPLIT', '"Lamp\nwith, a line break"'));
  rows.splice(at(0.2), 0, line('X-QUOTED', '"Mug ""Big""\r\nsecond line"'), '', '   ');
  rows.splice(at(0.4), 0, `${line('X-CRLF', 'Plate')}\r`, line('X-BAD', 'Cup', 'card', 'not a date'));
  rows.splice(at(0.6), 0, 'X-RAGGED,2026-03-01,too,few');
  extra(rows);
  rows.push(line('X-SPLIT', 'Lamp shade', 'mpesa'));
  const path = join(workDir, `${name}.csv`);
  await writeFile(path, `${rows.join('\n')}\n`);
  return path;
}

/** The worker's activities on the parts harness, each call in an activity context of its own. */
function partsActivities() {
  const activities = createActivities({ ...parts, logger });
  const run = <A extends unknown[], R>(activity: (...args: A) => Promise<R>, args: A, heartbeatDetails?: unknown) =>
    new MockActivityEnvironment(heartbeatDetails === undefined ? {} : { heartbeatDetails }).run(activity, ...args) as Promise<R>;
  return { activities, run };
}

async function claimOnParts(path: string, filename: string) {
  const { activities, run } = partsActivities();
  const contentHash = await sha256File(path);
  const objectKey = uploadKey(contentHash, filename);
  await parts.store.uploadFile(objectKey, path);
  const claim = await run(activities.hashAndClaim, [{ objectKey, filename, contentHash }]);
  return { ...claim, objectKey, parseRanges: claim.parseRanges ?? 0 };
}

async function readObject(key: string): Promise<string> {
  return (await buffer(await whole.store.read(key))).toString('utf8');
}

describe('a file parsed in parts', () => {
  it('stages, rejects and loads exactly what one parse of the whole file does', async () => {
    const path = await writeAwkwardFile('awkward');
    const reference = await whole.ingest(path, 'awkward.csv');
    expect(reference).toMatchObject({ status: 'completed', rowsRead: 2_006 });
    expect(reference.rowsRejected).toBe(4);
    const referenceReport = await readObject(`rejects/${reference.objectKey}.rejects.csv`);

    const { activities, run } = partsActivities();
    const filename = 'awkward.csv';
    const claim = await claimOnParts(path, filename);
    expect(claim.parseRanges).toBeGreaterThan(3);
    const input = { fileId: claim.fileId, objectKey: claim.objectKey, filename };
    const ranges = await parts.pool.any(sql.type(rangeRow)`
      select range_index as index, first_line_number as "firstLine"
      from ingestion_parse_ranges where ingestion_file_id = ${claim.fileId} order by range_index`);
    expect(ranges.map((range) => range.index)).toEqual([...Array(claim.parseRanges).keys()]);

    // Side by side, as the workflow schedules them; the last part first, to be sure order does not matter.
    const indexes = [...Array(claim.parseRanges).keys()].reverse();
    const read = await Promise.all(indexes.map((rangeIndex) => run(activities.parseRange, [{ ...input, rangeIndex }])));
    const rowsRead = read.reduce((sum, part) => sum + part.rowsRead, 0);
    expect(rowsRead).toBe(reference.rowsRead);

    // A retry of a middle part resumes after its heartbeated line and rewrites only its own lines.
    const middle = ranges[2];
    if (middle === undefined) throw new Error('expected a third part');
    await run(activities.parseRange, [{ ...input, rangeIndex: 2 }], { lineNumber: middle.firstLine + 40 });
    // And a retry with no heartbeat (the attempt died before its first batch) starts the part over.
    await run(activities.parseRange, [{ ...input, rangeIndex: 1 }]);

    const parsed = await run(activities.finishParse, [{ ...input, rowsRead }]);
    expect(parsed).toMatchObject({ rowsRead: reference.rowsRead, rowsRejected: reference.rowsRejected });
    expect(await readObject(`rejects/${claim.objectKey}.rejects.csv`)).toBe(referenceReport);
    const loaded = await run(activities.loadFromStaging, [{ fileId: claim.fileId }]);
    expect(loaded.rowsLoaded).toBe(reference.rowsLoaded);
    await run(activities.aggregateDays, [{ fileId: claim.fileId }]);
    await run(activities.markFileCompleted, [{ fileId: claim.fileId }]);

    const dump = await canonicalDump(parts.pool);
    expect(dump).toEqual(await canonicalDump(whole.pool));
    // The order whose first and last lines disagree was judged whole, across its parts.
    const splitRejects = await parts.pool.anyFirst(sql.type(z.object({ reason: z.string() }))`
      select reason from ingestion_rejects where ingestion_file_id = ${claim.fileId} and column_name = 'order_ref'`);
    expect(splitRejects).toEqual([
      "the lines of order 'X-SPLIT' disagree on payment_method",
      "the lines of order 'X-SPLIT' disagree on payment_method",
    ]);
  });

  it('gives the same database through the workflow, which runs the parts side by side', async () => {
    const path = await writeAwkwardFile('through-workflow', (rows) => {
      for (let index = 1; index < rows.length; index += 1) rows[index] = (rows[index] ?? '').replaceAll('ORD-', 'WF-');
    });
    const reference = await whole.ingest(path, 'through-workflow.csv');
    const summary = await parts.ingest(path, 'through-workflow.csv');
    expect(reference).toMatchObject({ status: 'completed', rowsRead: 2_006, rowsRejected: 4 });
    expect({ ...summary, fileId: reference.fileId, workflowId: reference.workflowId }).toEqual(reference);
    const partsRecorded = await parts.pool.oneFirst(sql.type(z.object({ count: z.number() }))`
      select count(*) as count from ingestion_parse_ranges where ingestion_file_id = ${summary.fileId}`);
    expect(partsRecorded).toBeGreaterThan(3);
    const history = await parts.client.workflow.getHandle(summary.workflowId).fetchHistory();
    const scheduled = (history.events ?? []).map((event) => event.activityTaskScheduledEventAttributes?.activityType?.name);
    expect(scheduled.filter((name) => name === 'parseRange')).toHaveLength(partsRecorded);
    expect(scheduled).not.toContain('parseToStaging');
    expect(await canonicalDump(parts.pool)).toEqual(await canonicalDump(whole.pool));

    const broken = await writeAwkwardFile('broken-workflow', (rows) => {
      rows.splice(Math.floor(rows.length * 0.8), 0, line('X-BROKEN-WF', '"closed" early'));
    });
    const refused = await whole.ingest(broken, 'broken-workflow.csv');
    expect(refused).toMatchObject({ status: 'failed' });
    expect(refused.error).toMatch(/line \d+: a closing quote is followed by something other/);
    expect(await parts.ingest(broken, 'broken-workflow.csv')).toMatchObject({ status: 'failed', error: refused.error });
  });

  it('fails in the part holding a broken record with the message of a whole parse', async () => {
    const path = await writeAwkwardFile('broken', (rows) => {
      rows.splice(Math.floor(rows.length * 0.7), 0, line('X-BROKEN', 'a "quoted" word'));
    });
    const reference = await whole.ingest(path, 'broken.csv');
    expect(reference).toMatchObject({ status: 'failed' });
    expect(reference.error).toMatch(/line \d+: a quote appears inside an unquoted field/);

    const { activities, run } = partsActivities();
    const claim = await claimOnParts(path, 'broken.csv');
    const input = { fileId: claim.fileId, objectKey: claim.objectKey, filename: 'broken.csv' };
    const outcomes = await Promise.all(
      [...Array(claim.parseRanges).keys()].map((rangeIndex) =>
        run(activities.parseRange, [{ ...input, rangeIndex }]).then(
          () => null,
          (error: unknown) => error,
        ),
      ),
    );
    const firstFailure = outcomes.find((outcome) => outcome !== null);
    expect(outcomes.indexOf(firstFailure ?? null)).toBeGreaterThan(0);
    expect(firstFailure).toBeInstanceOf(ApplicationFailure);
    expect(firstFailure).toMatchObject({ type: IngestFailureTypes.invalidFile, message: reference.error });
  });
});
