import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from 'slonik';
import { z } from 'zod';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../src/activities/index.ts';
import { sha256File } from '../../src/client/submit-file.ts';
import { createLogger } from '../../src/logger.ts';
import { SAMPLE_HEADER } from '../../src/sample/generate-order-lines.ts';
import { uploadKey } from '../../src/storage/object-keys.ts';
import { IngestFailureTypes, type ParseHeartbeatDetails } from '../../src/workflows/ingest-file-contract.ts';
import { canonicalDump, type CanonicalDump } from '../support/canonical-dump.ts';
import { runPipeforge } from '../support/cli-process.ts';
import { writeGeneratedFile } from '../support/generated-file.ts';
import { startPipelineHarness, type PipelineHarness } from '../support/pipeline-harness.ts';

/**
 * A gzip-compressed export goes through the same parse as its plain twin: the same rows, rejects
 * and line numbers, the same rejects report, in one part (a compressed stream cannot be cut),
 * while the plain twin, larger than a part, is parsed in several. Its content hash is that of
 * the stored (compressed) bytes. A truncated one fails once, as bad input, naming the file.
 */
const PART_BYTES = 48 * 1024;
const rejectRow = z.object({ lineNumber: z.number(), column: z.string(), reason: z.string() });
const countRow = z.object({ count: z.number() });

let harness: PipelineHarness;
let workDir: string;

beforeAll(async () => {
  harness = await startPipelineHarness({ parseRangeBytes: PART_BYTES });
  workDir = await mkdtemp(join(tmpdir(), 'pipeforge-gzip-'));
});

afterAll(async () => {
  await harness?.stop();
  await rm(workDir, { recursive: true, force: true });
});

const line = (ref: string, product: string, payment = 'card', date = '2026-03-01T10:00:00Z') =>
  `${ref},${date},gzip@example.com,Nairobi,SKU-G,${product},Home,1,5.00,${payment}`;

/** Generated rows with quoted line breaks, CRLF, blank lines and rejected rows spread through them. */
async function writeTwins(name: string, prefix: string): Promise<{ plain: string; compressed: string; bytes: Buffer }> {
  const generated = await writeGeneratedFile(join(workDir, `${name}.generated.csv`), { rows: 2_000, seed: 47, days: 10, orderPrefix: prefix });
  const rows = (await readFile(generated, 'utf8')).split('\n').filter((row) => row !== '');
  expect(rows[0]).toBe(SAMPLE_HEADER);
  const at = (fraction: number) => Math.floor(fraction * rows.length);
  rows.splice(1, 0, '', line(`${prefix}LAMP`, '"Lamp\nwith, a line break"'));
  rows.splice(at(0.3), 0, line(`${prefix}MUG`, '"Mug ""Big""\r\nsecond line"'), '   ', `${line(`${prefix}CRLF`, 'Plate')}\r`);
  rows.splice(at(0.5), 0, line(`${prefix}BAD`, 'Cup', 'card', 'not a date'), `${prefix}RAGGED,2026-03-01,too,few`);
  const text = `${rows.join('\n')}\n`;
  const plain = join(workDir, `${name}.csv`);
  const compressed = join(workDir, `${name}.csv.gz`);
  const bytes = gzipSync(Buffer.from(text, 'utf8'));
  await writeFile(plain, text);
  await writeFile(compressed, bytes);
  return { plain, compressed, bytes };
}

const rejectsOf = (fileId: string) =>
  harness.pool.any(sql.type(rejectRow)`
    select line_number as "lineNumber", column_name as column, reason
    from ingestion_rejects where ingestion_file_id = ${fileId} order by line_number, column_name`);

const partsOf = (fileId: string) =>
  harness.pool.oneFirst(sql.type(countRow)`select count(*) as count from ingestion_parse_ranges where ingestion_file_id = ${fileId}`);

async function readObject(key: string): Promise<string> {
  return (await buffer(await harness.store.read(key))).toString('utf8');
}

/** The business tables only: the file rows (and orders, which name their file's hash) differ by design. */
function businessState(dump: CanonicalDump) {
  const { customers, products, orderItems, aggregates } = dump.tables;
  return { customers, products, orderItems, aggregates, totals: dump.totals, stagedRows: dump.stagedRows };
}

async function scheduledActivities(workflowId: string): Promise<string[]> {
  const history = await harness.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).flatMap((event) => event.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
}

describe('a gzip-compressed export', () => {
  it('loads exactly as its plain twin: rows, rejects and line numbers, rejects report', async () => {
    const twins = await writeTwins('twin', 'GZ-');
    const plain = await harness.ingest(twins.plain, 'twin.csv');
    expect(plain).toMatchObject({ status: 'completed', rowsRead: 2_005, rowsRejected: 2 });
    const plainRejects = await rejectsOf(plain.fileId);
    expect(plainRejects.map((reject) => reject.column).sort()).toEqual(['*', 'order_date']);
    const plainState = businessState(await canonicalDump(harness.pool));
    expect(await partsOf(plain.fileId)).toBeGreaterThan(3);

    const compressed = await harness.ingest(twins.compressed, 'twin.csv.gz');
    expect({ ...compressed, fileId: plain.fileId, workflowId: plain.workflowId, objectKey: plain.objectKey, filename: plain.filename }).toEqual(plain);
    expect(await rejectsOf(compressed.fileId)).toEqual(plainRejects);
    // Loading the same orders again replaces them with themselves.
    expect(businessState(await canonicalDump(harness.pool))).toEqual(plainState);
    expect(await readObject(`rejects/${compressed.objectKey}.rejects.csv`)).toBe(await readObject(`rejects/${plain.objectKey}.rejects.csv`));

    // One part, parsed by the whole-file activity; the hash is the stored bytes'.
    expect(await partsOf(compressed.fileId)).toBe(1);
    const activities = await scheduledActivities(compressed.workflowId);
    expect(activities).toContain('parseToStaging');
    expect(activities).not.toContain('parseRange');
    const contentHash = createHash('sha256').update(twins.bytes).digest('hex');
    expect(compressed.workflowId).toBe(`ingest-${contentHash}`);
  });

  it('fails once, as bad input naming the file, when it is truncated', async () => {
    const twins = await writeTwins('cut', 'CUT-');
    const truncated = join(workDir, 'cut-short.csv.gz');
    await writeFile(truncated, twins.bytes.subarray(0, Math.floor(twins.bytes.length * 0.6)));
    const failed = await harness.ingest(truncated, 'cut-short.csv.gz');
    expect(failed.status).toBe('failed');
    expect(failed.error).toBe('cut-short.csv.gz: the gzip data ends before its end marker: the file is truncated (was the upload or copy cut short?)');

    const history = await harness.client.workflow.getHandle(failed.workflowId).fetchHistory();
    const attempts = (history.events ?? []).flatMap((event) => event.activityTaskStartedEventAttributes?.attempt ?? []);
    expect(Math.max(...attempts)).toBe(1);
    const failure = (history.events ?? []).find((event) => event.workflowExecutionFailedEventAttributes)?.workflowExecutionFailedEventAttributes?.failure;
    expect(failure?.applicationFailureInfo?.type).toBe(IngestFailureTypes.invalidFile);
    // The rows read before the cut are not kept either.
    const orders = await harness.pool.oneFirst(sql.type(countRow)`select count(*) as count from orders where order_ref like 'CUT-%'`);
    expect(orders).toBe(0);
  });

  it('is ingested by `pipeforge ingest file.csv.gz` like any export', async () => {
    const twins = await writeTwins('from-cli', 'CLI-');
    const env = { ...process.env, DATABASE_URL: harness.databaseUrl, TEMPORAL_TASK_QUEUE: harness.taskQueue, PIPEFORGE_HOME: workDir, LOG_LEVEL: 'warn' };
    const run = await runPipeforge(['ingest', twins.compressed, '--wait'], { env, cwd: workDir, timeoutMs: 90_000 });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^from-cli\.csv\.gz: completed — 2,005 rows read, 2,003 loaded, 2 rejected, \d+ days aggregated \(file [0-9a-f-]+\)$/m);
  });
});

describe('parse heartbeats', () => {
  /** Runs the worker's activity in an activity context of its own, keeping what it heartbeated. */
  async function runWithBeats<A extends unknown[], R>(activity: (...args: A) => Promise<R>, args: A) {
    const environment = new MockActivityEnvironment();
    const beats: ParseHeartbeatDetails[] = [];
    environment.on('heartbeat', (details: unknown) => beats.push(details as ParseHeartbeatDetails));
    const result = (await environment.run(activity, ...args)) as R;
    return { result, beats };
  }

  async function claim(path: string, filename: string) {
    const activities = createActivities({ ...harness, logger: createLogger('warn', { test: 'gzip-input' }) });
    const contentHash = await sha256File(path);
    const objectKey = uploadKey(contentHash, filename);
    await harness.store.uploadFile(objectKey, path);
    const claimed = await runWithBeats(activities.hashAndClaim, [{ objectKey, filename, contentHash }]);
    return { activities, input: { fileId: claimed.result.fileId, objectKey, filename }, parts: claimed.result.parseRanges ?? 0 };
  }

  it('carry the stored bytes read beside the line: the compressed ones for a gzip file, a part\'s own for a part', async () => {
    const twins = await writeTwins('beats', 'BEAT-');
    const compressed = await claim(twins.compressed, 'beats.csv.gz');
    expect(compressed.parts).toBe(1);
    const whole = await runWithBeats(compressed.activities.parseToStaging, [compressed.input]);
    expect(whole.result.rowsRead).toBe(2_005);
    const read = whole.beats.map((beat) => beat.bytesRead ?? -1);
    expect(read).toEqual([...read].sort((a, b) => a - b));
    expect(whole.beats.every((beat) => beat.totalBytes === twins.bytes.length && typeof beat.lineNumber === 'number')).toBe(true);
    expect(whole.beats.at(-1)?.bytesRead).toBe(twins.bytes.length);

    const plain = await claim(twins.plain, 'beats.csv');
    const size = (await readFile(twins.plain)).length;
    expect(plain.parts).toBeGreaterThan(3);
    const second = await runWithBeats(plain.activities.parseRange, [{ ...plain.input, rangeIndex: 1 }]);
    expect(second.beats.length).toBeGreaterThan(0);
    for (const beat of second.beats) {
      expect(beat.fileBytes).toBe(size);
      expect(beat.totalBytes).toBeLessThan(size);
      expect(beat.bytesRead).toBeLessThanOrEqual(beat.totalBytes ?? 0);
    }
    expect(second.beats.at(-1)?.bytesRead).toBe(second.beats.at(-1)?.totalBytes);
  });
});
