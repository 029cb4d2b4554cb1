import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import { sql } from 'slonik';
import { z } from 'zod';
import { rejectsReportKey } from '../../src/storage/object-keys.ts';
import { writeRejectsReport } from '../../src/rejects/rejects-report.ts';
import { MissingObjectError } from '../../src/errors.ts';
import { historyText } from '../support/history-text.ts';
import { startPipelineHarness, type PipelineHarness } from '../support/pipeline-harness.ts';

/** The rejects report object in MinIO and the `pipeforge rejects` command, on the real stack. */

const HEADER = 'order_ref,order_date,customer_email,customer_region,sku,product_name,category,quantity,unit_price,payment_method';
const CLI = fileURLToPath(new URL('../../src/client/cli.ts', import.meta.url));
const run = promisify(execFile);

let harness: PipelineHarness;
let workDir: string;

beforeAll(async () => {
  harness = await startPipelineHarness();
  workDir = await mkdtemp(join(tmpdir(), 'pipeforge-rejects-'));
});

afterAll(async () => {
  await harness?.stop();
  await rm(workDir, { recursive: true, force: true });
});

function good(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${i},2026-09-01T10:00:00Z,buyer${i % 5}@example.com,Nairobi,SKU-${i % 3},Product,Cat,1,10.00,mpesa`);
}

async function ingest(name: string, lines: string[], lineEnd = '\n') {
  const path = join(workDir, name);
  await writeFile(path, `${[HEADER, ...lines].join(lineEnd)}${lineEnd}`);
  return harness.ingest(path);
}

async function readObject(key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await harness.store.read(key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: harness.databaseUrl, PIPEFORGE_HOME: workDir, LOG_LEVEL: 'warn' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

// Lines 2..61 are good; the bad ones follow, CRLF-terminated like a spreadsheet export.
const BAD_LINES = [
  "=cmd|' /C calc'!A0,2026-09-01T10:00:00Z,formula@example.com,,SKU-1,Tea,Cat,0,10.00,mpesa",
  'MULTI-1,2026-09-01T10:00:00Z,multi@example.com,,SKU-1,"two\r\nlines, ""quoted""",Cat,1,KES 5,card',
  '-5,2026-09-01T10:00:00Z,amina@example.com,,,Tea,Cat,1,10.00,mpesa',
];
const GOOD_COUNT = 60;

describe('the rejects report', () => {
  let summary: Awaited<ReturnType<typeof ingest>>;
  let reportKey: string;

  beforeAll(async () => {
    summary = await ingest('export-with-rejects.csv', [...good('GOOD', GOOD_COUNT), ...BAD_LINES], '\r\n');
    reportKey = rejectsReportKey(summary.objectKey);
  });

  it('completes the file with the bad lines rejected', () => {
    expect(summary).toMatchObject({ status: 'completed', rowsRead: GOOD_COUNT + 3, rowsLoaded: GOOD_COUNT, rowsRejected: 3 });
  });

  it('writes each rejected line with its reasons and the line as written, formulas neutralised', async () => {
    const report = await readObject(reportKey);
    const rows = parse(report, { relax_column_count: false }) as string[][];
    const first = GOOD_COUNT + 2;
    expect(rows).toEqual([
      ['line', 'reason', 'original_line'],
      [String(first), 'quantity "0" is not a whole number ≥ 1', `'${BAD_LINES[0]}`],
      [String(first + 1), expect.stringMatching(/^unit_price "KES 5" is not a plain decimal number/), BAD_LINES[1]],
      // Line numbers are physical lines: the record above spans two.
      [String(first + 3), 'sku is empty', `'${BAD_LINES[2]}`],
    ]);
    // The reasons are exactly those recorded in the database, in the same order.
    const recorded = await harness.pool.anyFirst(sql.type(z.object({ reason: z.string() }))`
      select reason from ingestion_rejects where ingestion_file_id = ${summary.fileId} order by line_number, column_name`);
    expect(rows.slice(1).map((row) => row[1])).toEqual(recorded);
  });

  it('reports the key in the parse result, never the content', async () => {
    const text = historyText(await harness.client.workflow.getHandle(summary.workflowId).fetchHistory());
    expect(text).toContain(reportKey);
    expect(text).not.toContain('@example.com');
  });

  it('rewrites the same bytes when written again, as a retry would', async () => {
    const before = await readObject(reportKey);
    const key = await writeRejectsReport({ pool: harness.pool, store: harness.store, fileId: summary.fileId, objectKey: summary.objectKey });
    expect(key).toBe(reportKey);
    expect((await readObject(reportKey)).equals(before)).toBe(true);
  });

  it('is not written for a file without rejects', async () => {
    const clean = await ingest('clean-export.csv', good('CLEAN', 5));
    expect(clean.status).toBe('completed');
    await expect(harness.store.size(rejectsReportKey(clean.objectKey))).rejects.toBeInstanceOf(MissingObjectError);
  });

  it('is written for a file refused for too many rejects, for whoever fixes it', async () => {
    const refused = await ingest('mostly-bad.csv', [...good('MOSTLY', 3), 'BAD-1,soon,a@example.com,,S,P,C,1,1.00,mpesa']);
    expect(refused).toMatchObject({ status: 'failed', rowsRejected: 1 });
    const rows = parse(await readObject(rejectsReportKey(refused.objectKey))) as string[][];
    expect(rows.slice(1)).toEqual([['5', 'order_date "soon" is not an ISO 8601 date or date-time such as 2024-03-01, 2024-03-01T14:30:00 or 2024-03-01T14:30:00+03:00', 'BAD-1,soon,a@example.com,,S,P,C,1,1.00,mpesa']]);
  });

  it('streams a large report without holding it: thousands of rejected lines, in line order', async () => {
    const lines = [...good('BULK', 100)];
    for (let i = 0; i < 2_500; i++) lines.push(`BULK-X${i},2026-09-01,bulk${i}@example.com,,SKU-1,P,C,${i % 2 === 0 ? 'zero' : '1'},1.00,mpesa`);
    const refused = await ingest('bulk-rejects.csv', lines);
    expect(refused).toMatchObject({ status: 'failed', rowsRejected: 1_250 });
    const rows = parse(await readObject(rejectsReportKey(refused.objectKey))) as string[][];
    expect(rows).toHaveLength(1_251);
    const numbers = rows.slice(1).map((row) => Number(row[0]));
    expect(numbers).toEqual(Array.from({ length: 1_250 }, (_, i) => 102 + 2 * i));
    expect(rows.at(-1)?.[2]).toBe('BULK-X2498,2026-09-01,bulk2498@example.com,,SKU-1,P,C,zero,1.00,mpesa');
  });
});

describe('pipeforge rejects', () => {
  let fileId: string;

  beforeAll(async () => {
    const summary = await ingest('cli-rejects.csv', [...good('CLI', 40), 'CLI-B1,2026-09-01,cli@example.com,,SKU-1,P,C,abc,x1,mpesa']);
    expect(summary.status).toBe('completed');
    fileId = summary.fileId;
  });

  it('prints the rejects of a file as JSON, never the raw email', async () => {
    const result = await cli(['rejects', fileId, '--json']);
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(printed).toMatchObject({
      fileId,
      filename: 'cli-rejects.csv',
      status: 'completed',
      rejectedLines: 1,
      problems: 2,
      shown: 2,
      rejects: [
        { lineNumber: 42, column: 'quantity', reason: 'quantity "abc" is not a whole number ≥ 1' },
        { lineNumber: 42, column: 'unit_price', reason: expect.stringMatching(/^unit_price "x1"/) },
      ],
    });
    expect(String(printed.report)).toMatch(/\/rejects\/uploads\/[0-9a-f]{64}\/cli-rejects\.csv\.rejects\.csv$/);
    expect(result.stdout).not.toContain('cli@example.com');
  });

  it('prints a table, limited by --limit, saying how many there are', async () => {
    const result = await cli(['rejects', fileId, '--limit', '1']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`cli-rejects.csv (file ${fileId}, completed): 1 rejected lines, 2 problems`);
    expect(result.stdout).toMatch(/line\s+column\s+reason/);
    expect(result.stdout).toMatch(/42\s+quantity\s+quantity "abc" is not a whole number/);
    expect(result.stdout).not.toContain('unit_price "x1"');
    expect(result.stdout).toContain('(first 1 of 2; --limit N shows more)');
  });

  it('says so for an unknown file and for missing arguments', async () => {
    const unknown = await cli(['rejects', '00000000-0000-4000-8000-000000000000']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no ingestion file has the id or content hash 00000000-0000-4000-8000-000000000000');
    const missing = await cli(['rejects']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('usage: pipeforge rejects FILE_ID');
    const badLimit = await cli(['rejects', fileId, '--limit', '0']);
    // A malformed value is a usage error (exit 2), like a missing argument.
    expect(badLimit.code).toBe(2);
    expect(badLimit.stderr).toContain('--limit must be a positive whole number');
  });
});
