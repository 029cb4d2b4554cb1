import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from 'slonik';
import { z } from 'zod';
import { rejectsReportKey } from '../../src/storage/object-keys.ts';
import { createLogger } from '../../src/logger.ts';
import { historyText } from '../support/history-text.ts';
import { startPipelineHarness, type PipelineHarness } from '../support/pipeline-harness.ts';

/**
 * No customer email in plain text anywhere PipeForge writes: every column of every table, every
 * log line of the worker, every workflow history (payloads decoded), every error message and
 * reject. The one place an email may appear is the rejects report in MinIO, which quotes the
 * sender's own lines; finding the emails there also proves that this test's search works.
 */

const HEADER = 'order_ref,order_date,customer_email,customer_region,sku,product_name,category,quantity,unit_price,payment_method';
/** Every address in the files below ends in one of these domains; none may show up. */
const EMAIL_DOMAINS = /@(?:example\.com|example\.org|mail\.co\.ke)/i;

let harness: PipelineHarness;
let workDir: string;
const logLines: string[] = [];
const summaries: Array<Awaited<ReturnType<PipelineHarness['ingest']>>> = [];

function good(prefix: string, count: number): string[] {
  return Array.from(
    { length: count },
    (_, i) => `${prefix}-${i},2026-09-01T10:00:00Z,Customer${i % 9}@Example.com,Nairobi,SKU-${i % 3},Product ${i % 3},Cat,1,10.00,mpesa`,
  );
}

/** Emails where they do not belong: shifted, swapped, pasted into every kind of column. */
const MISPLACED = [
  'MIS-1,2026-09-01T10:00:00Z,region.swap@example.com,region.swap@example.com,SKU-1,Tea,Cat,1,10.00,mpesa',
  'MIS-2,2026-09-01T10:00:00Z,a@example.com,Nairobi,sku.paste@example.org,Tea,Cat,1,10.00,mpesa',
  'MIS-3,2026-09-01T10:00:00Z,a@example.com,Nairobi,SKU-1,"Gift for name.paste@example.com",Cat,1,10.00,mpesa',
  'MIS-4,2026-09-01T10:00:00Z,a@example.com,Nairobi,SKU-1,Tea,category.paste@mail.co.ke,1,10.00,mpesa',
  'MIS-5,2026-09-01T10:00:00Z,a@example.com,Nairobi,SKU-1,Tea,Cat,qty.paste@example.com,10.00,mpesa',
  'MIS-6,2026-09-01T10:00:00Z,a@example.com,Nairobi,SKU-1,Tea,Cat,1,price.paste@example.com,mpesa',
  'MIS-7,date.paste@example.com,a@example.com,Nairobi,SKU-1,Tea,Cat,1,10.00,mpesa',
  'ref.paste@example.com,2026-09-01T10:00:00Z,a@example.com,Nairobi,SKU-1,Tea,Cat,1,10.00,mpesa',
  // A stray comma shifts every column after the name.
  'MIS-9,2026-09-01T10:00:00Z,Nairobi,shift.paste@example.com,SKU-1,Tea,,Cat,1,10.00,mpesa',
  'MIS-10,2026-09-01T10:00:00Z,not-an-address@@example.com,Nairobi,SKU-1,Tea,Cat,1,10.00,mpesa',
  // Lines of one order that disagree on the customer.
  'MIS-11,2026-09-02T10:00:00Z,split.one@example.com,Nairobi,SKU-1,Tea,Cat,1,10.00,mpesa',
  'MIS-11,2026-09-02T10:00:00Z,split.two@example.com,Nairobi,SKU-2,Tea,Cat,1,10.00,mpesa',
];

beforeAll(async () => {
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  // Everything the worker's logger writes, down to debug.
  harness = await startPipelineHarness({}, { logger: createLogger('debug', { component: 'test-worker' }, destination) });
  workDir = await mkdtemp(join(tmpdir(), 'pipeforge-protection-'));

  const write = async (name: string, lines: string[], header: string | null = HEADER) => {
    const path = join(workDir, name);
    await writeFile(path, `${[...(header === null ? [] : [header]), ...lines].join('\n')}\n`);
    summaries.push(await harness.ingest(path));
  };
  // 13 rejected lines among 300: within the reject ratio, so the file loads.
  await write('mixed.csv', [...good('MIX', 288), ...MISPLACED]);
  // An extra column, named and filled with addresses: ignored, and its name masked in the warning.
  await write(
    'extra-column.csv',
    good('EXTRA', 3).map((line, i) => `${line},extra${i}@example.com`),
    `${HEADER},owner.header@example.com`,
  );
  // A file exported without a header: its first row is read as one, and the message shows it.
  await write('headerless.csv', good('NOHEAD', 2), null);
  // Too many rejects: the file fails, and its message and rejects must not quote the addresses.
  await write('mostly-misplaced.csv', [...good('MOSTLY', 4), ...MISPLACED.slice(0, 4)]);
});

afterAll(async () => {
  await harness?.stop();
  await rm(workDir, { recursive: true, force: true });
});

describe('customer emails in plain text', () => {
  it('went through the cases this test means to cover', () => {
    expect(summaries.map((summary) => [summary.filename, summary.status])).toEqual([
      ['mixed.csv', 'completed'],
      ['extra-column.csv', 'completed'],
      ['headerless.csv', 'failed'],
      ['mostly-misplaced.csv', 'failed'],
    ]);
    expect(summaries[0]).toMatchObject({ rowsRead: 300, rowsLoaded: 288, rowsRejected: 12 });
  });

  it('are in no column of any row of any table', async () => {
    const tables = await harness.pool.anyFirst(sql.type(z.object({ name: z.string() }))`
      select quote_ident(table_schema) || '.' || quote_ident(table_name) as name
      from information_schema.tables
      where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')`);
    expect(tables).toEqual(expect.arrayContaining(['public.customers', 'public.ingestion_rejects', 'public.ingestion_files']));
    let rowsScanned = 0;
    for (const table of tables) {
      // The whole row as text: every column, whatever its type (text, varchar, json, arrays).
      const rows = await harness.pool.anyFirst(sql.type(z.object({ row: z.string() }))`
        select t::text as row from ${sql.identifier(table.split('.').map((part) => part.replace(/^"|"$/g, '')))} t`);
      rowsScanned += rows.length;
      const leaking = rows.filter((row) => EMAIL_DOMAINS.test(row) || /@/.test(row));
      expect({ table, leaking }).toEqual({ table, leaking: [] });
    }
    expect(rowsScanned).toBeGreaterThan(300);
  });

  it('are in no log line of the worker', () => {
    expect(logLines.some((line) => line.includes('"parsed file"'))).toBe(true);
    expect(logLines.some((line) => line.includes('not in the input contract'))).toBe(true);
    expect(logLines.filter((line) => EMAIL_DOMAINS.test(line))).toEqual([]);
  });

  it('are in no workflow history, payloads decoded', async () => {
    for (const summary of summaries) {
      const text = historyText(await harness.client.workflow.getHandle(summary.workflowId).fetchHistory());
      expect(text).toContain(summary.filename);
      expect(text.match(EMAIL_DOMAINS)).toBeNull();
    }
  });

  it('are in no error message or reject reason', async () => {
    const failed = summaries.filter((summary) => summary.status === 'failed');
    expect(failed.map((summary) => summary.error)).toEqual([
      expect.stringContaining('(a value that looks like an email address, not shown)'),
      expect.stringContaining('PIPEFORGE_MAX_REJECT_RATIO'),
    ]);
    for (const summary of failed) expect(summary.error).not.toMatch(/@/);
    const reasons = await harness.pool.anyFirst(sql.type(z.object({ reason: z.string() }))`select reason from ingestion_rejects`);
    expect(reasons.length).toBeGreaterThanOrEqual(12);
    expect(reasons.filter((reason) => reason.includes('@'))).toEqual([]);
  });

  it('are stored only as keyed hashes', async () => {
    const hashes = await harness.pool.anyFirst(sql.type(z.object({ hash: z.string() }))`select email_hash as hash from customers`);
    expect(hashes.length).toBeGreaterThan(0);
    for (const hash of hashes) expect(hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('appear only in the rejects report in MinIO, which quotes the sender their own lines', async () => {
    const [mixed] = summaries;
    const chunks: Buffer[] = [];
    for await (const chunk of await harness.store.read(rejectsReportKey(mixed?.objectKey ?? ''))) chunks.push(chunk as Buffer);
    const report = Buffer.concat(chunks).toString('utf8');
    for (const address of ['region.swap@example.com', 'sku.paste@example.org', 'ref.paste@example.com', 'split.two@example.com']) {
      expect(report).toContain(address);
    }
  });
});
