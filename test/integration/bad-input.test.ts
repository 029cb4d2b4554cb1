import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from 'slonik';
import { z } from 'zod';
import { describeSummary } from '../../src/client/output.ts';
import { createLogger } from '../../src/logger.ts';
import { IngestFailureTypes } from '../../src/workflows/ingest-file-contract.ts';
import { startPipelineHarness, type PipelineHarness } from '../support/pipeline-harness.ts';
import { ORDER_LINES_HEADER, orderLineRows } from '../support/order-line-rows.ts';

/**
 * Every rule of the input contract, end to end: small crafted files go through the real workflow
 * (MinIO, Temporal, PostgreSQL), and each case checks the file's status, counts, recorded rejects,
 * error message (file name, line, reason) and that a failed file loaded nothing.
 */

const HEADER = ORDER_LINES_HEADER;
/** Enough valid rows that five rejects stay within the default 5 % reject ratio. */
const GOOD_ROWS = 100;

const row = orderLineRows('2026-09-01T10:00:00Z');

function goodRows(prefix: string, count = GOOD_ROWS): string[] {
  return Array.from({ length: count }, (_, i) => row({ ref: `${prefix}-${i}`, email: `buyer${i % 7}@example.com`, sku: `SKU-${i % 3}` }));
}

/** A file of GOOD_ROWS valid rows (lines 2..101) followed by the given lines (line 102 on). */
function withBadRows(prefix: string, bad: string[]): string {
  return `${[HEADER, ...goodRows(prefix), ...bad].join('\n')}\n`;
}
const FIRST_BAD_LINE = GOOD_ROWS + 2;

type ExpectedReject = { line: number; column: string; reason: RegExp };
type Case = {
  name: string;
  content: string | Buffer;
  status: 'completed' | 'failed';
  rowsRead?: number;
  rowsLoaded?: number;
  rowsRejected?: number;
  /** For a failed file: what the message must say after "<file name>, line N: " (or "<file name>: "). */
  error?: { line?: number; reason: RegExp; type: string };
  rejects?: ExpectedReject[];
};

const bom = '\uFEFF';
const NOT_UTF8 = Buffer.from([0x43, 0x61, 0x66, 0xe9]); // "Café" in Latin-1

const cases: Case[] = [
  // File-level rules that a file passes.
  {
    name: 'BOM and CRLF line endings',
    content: `${bom}${[HEADER, ...goodRows('BOM', 5)].join('\r\n')}\r\n`,
    status: 'completed',
    rowsRead: 5,
    rowsLoaded: 5,
    rowsRejected: 0,
  },
  {
    name: 'a header in another case and order, with spaces and extra columns',
    content:
      ' Payment_Method ,UNIT_PRICE,quantity,Category,Product_Name,SKU,notes,Customer_Email,Order_Date,ORDER_REF,warehouse\n' +
      'mpesa,10.00,2,Cat,Shuffled,SKU-SH,fragile,shuffle@example.com,2026-09-02T08:00:00Z,SHUF-1,WH-3\n',
    status: 'completed',
    rowsRead: 1,
    rowsLoaded: 1,
    rowsRejected: 0,
  },
  {
    name: 'a header-only file',
    content: `${HEADER}\r\n`,
    status: 'completed',
    rowsRead: 0,
    rowsLoaded: 0,
    rowsRejected: 0,
  },
  {
    name: 'quoted commas, quotes and line breaks, with a bad row after a multi-line field',
    content: withBadRows('QUOTE', [
      row({ ref: 'QUOTE-Q1', sku: 'SKU-Q1', name: '"Tea, 500g ""Kenya""\nloose leaf"' }),
      row({ ref: 'QUOTE-Q2', quantity: 'abc' }),
    ]),
    status: 'completed',
    rowsRead: GOOD_ROWS + 2,
    rowsLoaded: GOOD_ROWS + 1,
    rowsRejected: 1,
    // The multi-line field takes lines 102-103, so the bad row starts on physical line 104.
    rejects: [{ line: FIRST_BAD_LINE + 2, column: 'quantity', reason: /^quantity "abc" is not a whole number/ }],
  },
  // File-level rules that fail a file.
  {
    name: 'a header without required columns',
    content: 'order_ref,order_date,customer_email,sku,product_name,category,quantity\nA,2026-09-01,a@example.com,S,P,C,1\n',
    status: 'failed',
    error: { line: 1, reason: /lacks the required columns unit_price, payment_method/, type: IngestFailureTypes.invalidFile },
  },
  {
    name: 'a header naming a column twice',
    content: `${HEADER},SKU\nDUP-1,2026-09-01,a@example.com,,S,P,C,1,1.00,mpesa,S\n`,
    status: 'failed',
    error: { line: 1, reason: /names sku more than once/, type: IngestFailureTypes.invalidFile },
  },
  {
    name: 'bytes that are not UTF-8 after valid rows',
    content: Buffer.concat([Buffer.from(`${[HEADER, ...goodRows('UTF', 2)].join('\n')}\n`), Buffer.from('UTF-X,2026-09-01,a@example.com,,S,'), NOT_UTF8, Buffer.from(',C,1,1.00,mpesa\n')]),
    status: 'failed',
    error: { line: 4, reason: /not valid UTF-8: byte 0xE9 does not belong to a UTF-8 character/, type: IngestFailureTypes.invalidFile },
  },
  {
    name: 'a record over 1 MiB (a quote left open)',
    content: `${HEADER}\nBIG-1,2026-09-01,a@example.com,,S,"${'x'.repeat(1_200_000)}\n${'y,'.repeat(10)}\n`,
    status: 'failed',
    error: { line: 2, reason: /longer than 1 MiB/, type: IngestFailureTypes.invalidFile },
  },
  {
    name: 'a quote never closed',
    content: `${HEADER}\n${row({ ref: 'OPEN-1' })}\nOPEN-2,2026-09-01,a@example.com,,S,"Tea,C,1,1.00,mpesa\n`,
    status: 'failed',
    error: { line: 3, reason: /never closed/, type: IngestFailureTypes.invalidFile },
  },
  {
    name: 'an empty object',
    content: '',
    status: 'failed',
    error: { reason: /the file is empty: it has no header line/, type: IngestFailureTypes.invalidFile },
  },
  {
    name: 'a binary object (a PNG image)',
    content: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0xff, 0xd8]),
    status: 'failed',
    error: { line: 1, reason: /not valid UTF-8/, type: IngestFailureTypes.invalidFile },
  },
  {
    name: 'a binary object that happens to be valid UTF-8 (NUL bytes)',
    content: Buffer.alloc(4096, 0),
    status: 'failed',
    error: { line: 1, reason: /lacks the required columns order_ref, order_date/, type: IngestFailureTypes.invalidFile },
  },
  // Row-level rules: the row is rejected with its line, column and reason; the rest loads.
  {
    name: 'quantities 0, -1, 1.5 and "abc"',
    content: withBadRows('QTY', ['0', '-1', '1.5', 'abc'].map((quantity, i) => row({ ref: `QTY-B${i}`, quantity }))),
    status: 'completed',
    rowsRead: GOOD_ROWS + 4,
    rowsLoaded: GOOD_ROWS,
    rowsRejected: 4,
    rejects: [
      { line: FIRST_BAD_LINE, column: 'quantity', reason: /^quantity "0" is not a whole number ≥ 1$/ },
      { line: FIRST_BAD_LINE + 1, column: 'quantity', reason: /^quantity "-1" is not a whole number ≥ 1$/ },
      { line: FIRST_BAD_LINE + 2, column: 'quantity', reason: /^quantity "1\.5" is not a whole number ≥ 1$/ },
      { line: FIRST_BAD_LINE + 3, column: 'quantity', reason: /^quantity "abc" is not a whole number ≥ 1$/ },
    ],
  },
  {
    name: 'prices -1, 1.234, "1,200.00" and "KES 50"',
    content: withBadRows('PRICE', ['-1', '1.234', '"1,200.00"', 'KES 50'].map((price, i) => row({ ref: `PRICE-B${i}`, price }))),
    status: 'completed',
    rowsRead: GOOD_ROWS + 4,
    rowsLoaded: GOOD_ROWS,
    rowsRejected: 4,
    rejects: [
      { line: FIRST_BAD_LINE, column: 'unit_price', reason: /^unit_price "-1" is negative/ },
      { line: FIRST_BAD_LINE + 1, column: 'unit_price', reason: /^unit_price "1\.234" has more than 2 decimal places$/ },
      { line: FIRST_BAD_LINE + 2, column: 'unit_price', reason: /^unit_price "1,200\.00" must use "\." as the decimal point/ },
      { line: FIRST_BAD_LINE + 3, column: 'unit_price', reason: /^unit_price "KES 50" is not a plain decimal number/ },
    ],
  },
  {
    name: 'dates that are malformed, impossible or empty',
    content: withBadRows('DATE', ['yesterday', '2026-02-30', '2026-09-01T25:00:00Z', ''].map((date, i) => row({ ref: `DATE-B${i}`, date }))),
    status: 'completed',
    rowsRead: GOOD_ROWS + 4,
    rowsLoaded: GOOD_ROWS,
    rowsRejected: 4,
    rejects: [
      { line: FIRST_BAD_LINE, column: 'order_date', reason: /^order_date "yesterday" is not an ISO 8601 date/ },
      { line: FIRST_BAD_LINE + 1, column: 'order_date', reason: /^order_date "2026-02-30" is not a real date-time/ },
      { line: FIRST_BAD_LINE + 2, column: 'order_date', reason: /^order_date "2026-09-01T25:00:00Z"/ },
      { line: FIRST_BAD_LINE + 3, column: 'order_date', reason: /^order_date is empty$/ },
    ],
  },
  {
    name: 'missing and invalid emails, an empty sku, an empty order_ref and a short row',
    content: withBadRows('MISC', [
      row({ ref: 'MISC-B0', email: '' }),
      row({ ref: 'MISC-B1', email: 'amina.example.com' }),
      row({ ref: 'MISC-B2', sku: '  ' }),
      row({ ref: '' }),
      'MISC-B4,2026-09-01,short@example.com,Nairobi,SKU-1',
    ]),
    status: 'completed',
    rowsRead: GOOD_ROWS + 5,
    rowsLoaded: GOOD_ROWS,
    rowsRejected: 5,
    rejects: [
      { line: FIRST_BAD_LINE, column: 'customer_email', reason: /^customer_email is empty$/ },
      { line: FIRST_BAD_LINE + 1, column: 'customer_email', reason: /^customer_email is not a valid address$/ },
      { line: FIRST_BAD_LINE + 2, column: 'sku', reason: /^sku is empty$/ },
      { line: FIRST_BAD_LINE + 3, column: 'order_ref', reason: /^order_ref is empty$/ },
      { line: FIRST_BAD_LINE + 4, column: '*', reason: /^5 fields, the header has 10$/ },
    ],
  },
  {
    name: 'an order whose lines disagree, and one whose lines agree once normalized',
    content: withBadRows('SPLIT', [
      row({ ref: 'SPLIT-X', date: '2026-09-02T10:00:00Z', email: 'first@example.com', payment: 'mpesa' }),
      row({ ref: 'SPLIT-X', date: '2026-09-02T13:00:00+03:00', email: 'second@example.com', payment: 'card', sku: 'SKU-2' }),
      row({ ref: 'SPLIT-X', date: '2026-09-03T10:00:00Z', email: 'first@example.com', payment: 'mpesa', sku: 'SKU-3' }),
      row({ ref: 'SPLIT-OK', date: '2026-09-02T10:00:00Z', email: 'Same@Example.com', payment: 'M-Pesa' }),
      row({ ref: 'SPLIT-OK', date: '2026-09-02T13:00:00+03:00', email: ' same@example.com ', payment: 'mpesa', sku: 'SKU-2' }),
    ]),
    status: 'completed',
    rowsRead: GOOD_ROWS + 5,
    rowsLoaded: GOOD_ROWS + 2,
    rowsRejected: 3,
    rejects: [0, 1, 2].map((offset) => ({
      line: FIRST_BAD_LINE + offset,
      column: 'order_ref',
      reason: /^the lines of order 'SPLIT-X' disagree on order_date, customer_email, payment_method$/,
    })),
  },
];

const fileRow = z.object({
  status: z.string(),
  totalRows: z.number().nullable(),
  failedRows: z.number().nullable(),
  errorMessage: z.string().nullable(),
});
const rejectRow = z.object({ line: z.number(), column: z.string(), reason: z.string() });

let harness: PipelineHarness;
let workDir: string;
const logLines: string[] = [];

beforeAll(async () => {
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  harness = await startPipelineHarness({}, { logger: createLogger('info', { component: 'test-worker' }, destination) });
  workDir = await mkdtemp(join(tmpdir(), 'pipeforge-bad-input-'));
});

afterAll(async () => {
  await harness?.stop();
  await rm(workDir, { recursive: true, force: true });
});

async function ingestContent(name: string, content: string | Buffer) {
  const path = join(workDir, name);
  await writeFile(path, content);
  return harness.ingest(path);
}

async function loadedFrom(fileId: string) {
  return harness.pool.one(sql.type(z.object({ orders: z.number(), items: z.number(), staged: z.number() }))`
    select (select count(*) from orders where ingestion_file_id = ${fileId}) as orders,
           (select count(*) from order_items oi join orders o on o.id = oi.order_id where o.ingestion_file_id = ${fileId}) as items,
           (select count(*) from staging_order_lines where ingestion_file_id = ${fileId}) as staged`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('the input contract, end to end', () => {
  it.each(cases.map((c, index) => [c.name, c, index] as const))('%s', async (_name, c, index) => {
    const filename = `case-${index}.csv`;
    const summary = await ingestContent(filename, c.content);
    expect(summary.status).toBe(c.status);
    if (c.rowsRead !== undefined) expect(summary.rowsRead).toBe(c.rowsRead);
    if (c.rowsLoaded !== undefined) expect(summary.rowsLoaded).toBe(c.rowsLoaded);
    if (c.rowsRejected !== undefined) expect(summary.rowsRejected).toBe(c.rowsRejected);

    const file = await harness.pool.one(sql.type(fileRow)`
      select status, total_rows as "totalRows", failed_rows as "failedRows", error_message as "errorMessage"
      from ingestion_files where id = ${summary.fileId}`);
    expect(file.status).toBe(c.status);
    const loaded = await loadedFrom(summary.fileId);
    expect(loaded.staged).toBe(0);

    if (c.status === 'failed') {
      const where = c.error?.line === undefined ? `${filename}: ` : `${filename}, line ${c.error.line}: `;
      expect(summary.error).toMatch(new RegExp(`^${escapeRegExp(where)}`));
      expect(summary.error).toMatch(c.error?.reason ?? /./);
      expect(file.errorMessage).toBe(summary.error);
      expect(describeSummary(summary)).toContain(summary.error ?? '(none)');
      expect(loaded).toEqual({ orders: 0, items: 0, staged: 0 });
      expect(summary.rowsLoaded).toBe(0);
      await expectOneNonRetryableParseAttempt(summary.workflowId, c.error?.type ?? '(none)');
    } else {
      expect(summary.error).toBeNull();
      expect(file).toMatchObject({ totalRows: c.rowsRead, failedRows: c.rowsRejected, errorMessage: null });
      expect(loaded.items).toBe(c.rowsLoaded);
    }

    const rejects = await harness.pool.any(sql.type(rejectRow)`
      select line_number as line, column_name as column, reason from ingestion_rejects
      where ingestion_file_id = ${summary.fileId} order by line_number, column_name`);
    const expected = c.rejects ?? [];
    expect(rejects.map(({ line, column }) => ({ line, column }))).toEqual(expected.map(({ line, column }) => ({ line, column })));
    rejects.forEach((reject, i) => expect(reject.reason).toMatch(expected[i]?.reason ?? /^$/));
  });

  it('stores quoted fields exactly, line breaks and quotes included', async () => {
    const name = await harness.pool.oneFirst(sql.type(z.object({ name: z.string() }))`
      select name from products where sku = 'SKU-Q1'`);
    expect(name).toBe('Tea, 500g "Kenya"\nloose leaf');
  });

  it('loads an order whose lines agree after normalization as one order', async () => {
    const order = await harness.pool.one(sql.type(z.object({ items: z.number(), payment: z.string() }))`
      select (select count(*) from order_items where order_id = o.id) as items, o.payment_method::text as payment
      from orders o where order_ref = 'SPLIT-OK'`);
    expect(order).toEqual({ items: 2, payment: 'mpesa' });
  });

  it('warns once about the columns outside the contract, naming them', () => {
    const warnings = logLines
      .map((line) => JSON.parse(line) as { msg?: string; ignoredColumns?: string[] })
      .filter((line) => line.msg?.includes('not in the input contract'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.ignoredColumns).toEqual(['notes', 'warehouse']);
  });
});

describe('payment method spellings', () => {
  it('normalizes every spelling of the contract to the stored method', async () => {
    const spellings: Array<[string, string]> = [
      ['M-Pesa', 'mpesa'],
      ['MPESA', 'mpesa'],
      ['m_pesa', 'mpesa'],
      ['PayStack', 'paystack'],
      ['Card', 'card'],
      ['Credit Card', 'card'],
      ['debit-card', 'card'],
      ['Bank Transfer', 'bank_transfer'],
      ['bank', 'bank_transfer'],
      ['EFT', 'bank_transfer'],
      ['cash on delivery', 'other'],
    ];
    const lines = spellings.map(([spelling], i) => row({ ref: `PAY-${i}`, payment: spelling }));
    const summary = await ingestContent('payments.csv', `${[HEADER, ...lines].join('\n')}\n`);
    expect(summary).toMatchObject({ status: 'completed', rowsLoaded: spellings.length, rowsRejected: 0 });
    const stored = await harness.pool.any(sql.type(z.object({ ref: z.string(), payment: z.string() }))`
      select order_ref as ref, payment_method::text as payment from orders where order_ref like 'PAY-%'`);
    const byRef = new Map(stored.map(({ ref, payment }) => [ref, payment]));
    spellings.forEach(([, method], i) => expect(byRef.get(`PAY-${i}`)).toBe(method));
  });
});

describe('PIPEFORGE_MAX_REJECT_RATIO (default 0.05)', () => {
  it('allows a file whose rejected share is exactly at the ratio', async () => {
    const summary = await ingestContent(
      'ratio-at.csv',
      `${[HEADER, ...goodRows('AT', 19), row({ ref: 'AT-BAD', quantity: '0' })].join('\n')}\n`,
    );
    expect(summary).toMatchObject({ status: 'completed', rowsRead: 20, rowsLoaded: 19, rowsRejected: 1 });
  });

  it('fails a file just above the ratio after one attempt, loading none of its rows', async () => {
    const lines = [...goodRows('ABOVE', 37), row({ ref: 'ABOVE-B1', quantity: '0' }), row({ ref: 'ABOVE-B2', price: 'x' })];
    const summary = await ingestContent('ratio-above.csv', `${[HEADER, ...lines].join('\n')}\n`);
    expect(summary).toMatchObject({ status: 'failed', rowsRead: 39, rowsRejected: 2, rowsLoaded: 0 });
    expect(summary.error).toBe(
      'ratio-above.csv: 2 of 39 rows (5.1%) were rejected, above the limit of 5.0% (PIPEFORGE_MAX_REJECT_RATIO); ' +
        `nothing was loaded. Run \`pipeforge rejects ${summary.fileId}\` to see why.`,
    );
    expect(await loadedFrom(summary.fileId)).toEqual({ orders: 0, items: 0, staged: 0 });
    const orders = await harness.pool.exists(sql.unsafe`select 1 from orders where order_ref like 'ABOVE-%'`);
    expect(orders).toBe(false);
    // The rejects stay for the person who fixes the file.
    const rejected = await harness.pool.oneFirst(sql.type(z.object({ n: z.number() }))`
      select count(*) as n from ingestion_rejects where ingestion_file_id = ${summary.fileId}`);
    expect(rejected).toBe(2);
    await expectOneNonRetryableParseAttempt(summary.workflowId, IngestFailureTypes.tooManyRejects);
  });
});

describe('bad input is not retried', () => {
  it('fails an invalid file after exactly one attempt of the parse activity, saying what to fix', async () => {
    const summary = await ingestContent('no-header.csv', 'ORD-1,2026-09-01,amina@example.com,Nairobi,SKU-1,Tea,Cat,1,1.00,mpesa\n');
    expect(summary.status).toBe('failed');
    expect(summary.error).toMatch(/^no-header\.csv, line 1: the header lacks the required columns order_ref, order_date/);
    // The first row, read as a header, shows its values, with the email masked.
    expect(summary.error).toContain('"ORD-1"');
    expect(summary.error).not.toContain('amina');
    await expectOneNonRetryableParseAttempt(summary.workflowId, IngestFailureTypes.invalidFile);
  });
});

type HistoryEvent = {
  eventId?: unknown;
  activityTaskScheduledEventAttributes?: { activityType?: { name?: string | null } | null } | null;
  activityTaskStartedEventAttributes?: { scheduledEventId?: unknown; attempt?: number | null } | null;
  activityTaskFailedEventAttributes?: {
    scheduledEventId?: unknown;
    failure?: { message?: string | null; cause?: unknown; applicationFailureInfo?: { type?: string | null; nonRetryable?: boolean | null } | null } | null;
  } | null;
  workflowExecutionFailedEventAttributes?: {
    failure?: { message?: string | null; applicationFailureInfo?: { type?: string | null } | null } | null;
  } | null;
};

/** From the workflow's history: parseToStaging was scheduled once, started once (attempt 1) and failed non-retryably. */
async function expectOneNonRetryableParseAttempt(workflowId: string, type: string): Promise<void> {
  const history = await harness.client.workflow.getHandle(workflowId).fetchHistory();
  const events = (history.events ?? []) as HistoryEvent[];
  const scheduled = events.filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'parseToStaging');
  expect(scheduled).toHaveLength(1);
  const scheduledId = String(scheduled[0]?.eventId);
  const started = events.filter((event) => String(event.activityTaskStartedEventAttributes?.scheduledEventId) === scheduledId);
  expect(started.map((event) => event.activityTaskStartedEventAttributes?.attempt)).toEqual([1]);
  const failed = events.filter((event) => String(event.activityTaskFailedEventAttributes?.scheduledEventId) === scheduledId);
  expect(failed).toHaveLength(1);
  const failure = failed[0]?.activityTaskFailedEventAttributes?.failure;
  expect(failure?.applicationFailureInfo).toMatchObject({ type, nonRetryable: true });
  const workflowFailure = events.find((event) => event.workflowExecutionFailedEventAttributes)?.workflowExecutionFailedEventAttributes?.failure;
  expect(workflowFailure?.applicationFailureInfo?.type).toBe(type);
  expect(workflowFailure?.message).toBe(failure?.message);
}
