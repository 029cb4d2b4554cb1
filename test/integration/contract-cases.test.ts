import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from 'slonik';
import { z } from 'zod';
import { fileExamples, readContractDoc } from '../support/contract-examples.ts';
import { startPipelineHarness, type PipelineHarness } from '../support/pipeline-harness.ts';
import { ORDER_LINES_HEADER, orderLineRows } from '../support/order-line-rows.ts';

/**
 * The input contract's decided cases, through the real pipeline (MinIO, Temporal, PostgreSQL):
 * blank lines, records of the wrong width, number forms and limits, empty required text, case,
 * which line wins a tie, replacement by a file whose lines are all rejected, and a failed file's
 * content submitted again. What bad-input.test.ts already asserts (a 0-byte file, an empty
 * order_ref or sku, a short row) is not repeated here.
 */

const HEADER = ORDER_LINES_HEADER;
/** Enough valid rows that a handful of rejects stays within the default 5 % reject ratio. */
const GOOD_ROWS = 100;

const row = orderLineRows('2026-10-01T10:00:00Z');

function goodRows(prefix: string, count = GOOD_ROWS): string[] {
  return Array.from({ length: count }, (_, i) => row({ ref: `${prefix}-${i}`, email: `filler${i % 7}@example.com`, sku: `${prefix}-SKU` }));
}

const rejectRow = z.object({ line: z.number(), column: z.string(), reason: z.string() });
const orderRow = z.object({ ref: z.string(), total: z.string(), items: z.number() });

let harness: PipelineHarness;
let workDir: string;

beforeAll(async () => {
  harness = await startPipelineHarness();
  workDir = await mkdtemp(join(tmpdir(), 'pipeforge-contract-cases-'));
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

async function rejectsOf(fileId: string) {
  return harness.pool.any(sql.type(rejectRow)`
    select line_number as line, column_name as column, reason from ingestion_rejects
    where ingestion_file_id = ${fileId} order by line_number, column_name`);
}

async function ordersLike(pattern: string) {
  return harness.pool.any(sql.type(orderRow)`
    select o.order_ref as ref, o.total_amount as total,
           (select count(*) from order_items oi where oi.order_id = o.id) as items
    from orders o where o.order_ref like ${pattern} order by o.order_ref collate "C"`);
}

/** The region of the customer who placed an order (emails are stored only as keyed hashes). */
async function regionOfCustomerOf(orderRef: string): Promise<string | null> {
  return harness.pool.oneFirst(sql.type(z.object({ region: z.string().nullable() }))`
    select c.region from customers c
    where c.id = (select customer_id from orders where order_ref = ${orderRef})`);
}

async function product(sku: string) {
  return harness.pool.one(sql.type(z.object({ name: z.string(), category: z.string(), basePrice: z.string() }))`
    select name, category, base_price as "basePrice" from products where sku = ${sku}`);
}

describe('the shape of the file', () => {
  it('skips blank lines (empty or a lone CR) without counting them, keeping physical line numbers', async () => {
    // Lines: 1 header, 2 row, 3 empty, 4 row, 5 "\r" only, 6 empty, 7 bad row, 8 row.
    const content = [
      HEADER,
      row({ ref: 'BLANK-1', email: 'blank@example.com', sku: 'BLANK-SKU' }),
      '',
      row({ ref: 'BLANK-2', email: 'blank@example.com', sku: 'BLANK-SKU' }),
      '\r',
      '',
      row({ ref: 'BLANK-BAD', email: 'blank@example.com', sku: 'BLANK-SKU', quantity: 'x' }),
      ...goodRows('BLANK-FILL', 30),
    ].join('\n');
    const summary = await ingestContent('blank-lines.csv', `${content}\n\n`);
    expect(summary).toMatchObject({ status: 'completed', rowsRead: 33, rowsLoaded: 32, rowsRejected: 1 });
    expect(await rejectsOf(summary.fileId)).toEqual([
      { line: 7, column: 'quantity', reason: 'quantity "x" is not a whole number ≥ 1' },
    ]);
    expect((await ordersLike('BLANK-%')).map((order) => order.ref).slice(0, 2)).toEqual(['BLANK-1', 'BLANK-2']);
  });

  it('rejects a record with too few or too many fields, never shifting it into other columns', async () => {
    const summary = await ingestContent(
      'wrong-width.csv',
      `${[
        HEADER,
        ...goodRows('WIDTH-FILL', 60),
        'WIDTH-SHORT,2026-10-01T10:00:00Z,short@example.com,Nairobi,WIDTH-SKU,Name,Cat,1,10.00',
        `${row({ ref: 'WIDTH-LONG', email: 'long@example.com', sku: 'WIDTH-SKU' })},extra`,
        `${row({ ref: 'WIDTH-LONGER', email: 'long@example.com', sku: 'WIDTH-SKU' })},"a,b",c`,
      ].join('\n')}\n`,
    );
    expect(summary).toMatchObject({ status: 'completed', rowsRead: 63, rowsLoaded: 60, rowsRejected: 3 });
    expect(await rejectsOf(summary.fileId)).toEqual([
      { line: 62, column: '*', reason: '9 fields, the header has 10' },
      { line: 63, column: '*', reason: '11 fields, the header has 10' },
      { line: 64, column: '*', reason: '12 fields, the header has 10' },
    ]);
    expect(await ordersLike('WIDTH-%')).toHaveLength(60);
    expect(await harness.pool.exists(sql.unsafe`select 1 from products where sku = 'WIDTH-SKU'`)).toBe(false);
  });
});

describe('whitespace and number forms', () => {
  /** Eight rejects among these stay within the reject ratio. */
  const NUMBER_FILL = 200;
  let fileId: string;
  let summary: Awaited<ReturnType<PipelineHarness['ingest']>>;

  beforeAll(async () => {
    const lines = [
      ...goodRows('NUM-FILL', NUMBER_FILL),
      // Lines 202-207: accepted forms and the limits.
      row({ ref: 'NUM-OK-007', sku: ' NUM-SKU ', quantity: '007', price: ' 2.50 ' }),
      // Its own sku, so that no day's total_units of a product sums past the limit.
      row({ ref: 'NUM-OK-QMAX', sku: 'NUM-QMAX-SKU', quantity: '2147483647', price: '0.00' }),
      row({ ref: 'NUM-OK-PMAX', sku: 'NUM-SKU', quantity: '1', price: '999999999999.99' }),
      row({ ref: 'NUM-OK-SUBMAX', sku: 'NUM-SKU', quantity: '3', price: '333333333333.33' }),
      row({ ref: 'NUM-OK-ONE-DECIMAL', sku: 'NUM-SKU', quantity: '1', price: '1.5' }),
      row({ ref: 'NUM-OK-WHOLE', sku: 'NUM-SKU', quantity: '1', price: '7' }),
      // Lines 208-215: refused forms and values past the limits.
      row({ ref: 'NUM-BAD-PLUS', quantity: '+3' }),
      row({ ref: 'NUM-BAD-DEC', quantity: '3.0' }),
      row({ ref: 'NUM-BAD-EXP', quantity: '1e3' }),
      row({ ref: 'NUM-BAD-QOVER', quantity: '2147483648', price: '0.00' }),
      row({ ref: 'NUM-BAD-TRAIL', price: '10.' }),
      row({ ref: 'NUM-BAD-LEAD', price: '.5' }),
      row({ ref: 'NUM-BAD-POVER', price: '1000000000000.00' }),
      row({ ref: 'NUM-BAD-SUBOVER', quantity: '2', price: '500000000000.00' }),
    ];
    summary = await ingestContent('number-forms.csv', `${[HEADER, ...lines].join('\n')}\n`);
    fileId = summary.fileId;
  });

  it('loads 007 as 7, trimmed prices, and values at the limits exactly', async () => {
    expect(summary).toMatchObject({ status: 'completed', rowsRead: NUMBER_FILL + 14, rowsLoaded: NUMBER_FILL + 6, rowsRejected: 8 });
    const items = await harness.pool.any(sql.type(z.object({ ref: z.string(), quantity: z.number(), price: z.string(), subtotal: z.string(), total: z.string() }))`
      select o.order_ref as ref, oi.quantity, oi.price, oi.subtotal, o.total_amount as total
      from order_items oi join orders o on o.id = oi.order_id
      where o.order_ref like 'NUM-OK-%' order by o.order_ref`);
    expect(items).toEqual([
      { ref: 'NUM-OK-007', quantity: 7, price: '2.50', subtotal: '17.50', total: '17.50' },
      { ref: 'NUM-OK-ONE-DECIMAL', quantity: 1, price: '1.50', subtotal: '1.50', total: '1.50' },
      { ref: 'NUM-OK-PMAX', quantity: 1, price: '999999999999.99', subtotal: '999999999999.99', total: '999999999999.99' },
      { ref: 'NUM-OK-QMAX', quantity: 2147483647, price: '0.00', subtotal: '0.00', total: '0.00' },
      { ref: 'NUM-OK-SUBMAX', quantity: 3, price: '333333333333.33', subtotal: '999999999999.99', total: '999999999999.99' },
      { ref: 'NUM-OK-WHOLE', quantity: 1, price: '7.00', subtotal: '7.00', total: '7.00' },
    ]);
    expect(await harness.pool.exists(sql.unsafe`select 1 from products where sku = 'NUM-SKU'`)).toBe(true);
  });

  it('rejects +3, 3.0, 1e3, 10., .5 and values past the limits, loading none of them', async () => {
    const first = NUMBER_FILL + 8;
    expect(await rejectsOf(fileId)).toEqual([
      { line: first, column: 'quantity', reason: 'quantity "+3" is not a whole number ≥ 1' },
      { line: first + 1, column: 'quantity', reason: 'quantity "3.0" is not a whole number ≥ 1' },
      { line: first + 2, column: 'quantity', reason: 'quantity "1e3" is not a whole number ≥ 1' },
      { line: first + 3, column: 'quantity', reason: expect.stringMatching(/^quantity "2147483648" .*2,?147,?483,?647/) },
      { line: first + 4, column: 'unit_price', reason: expect.stringMatching(/^unit_price "10\." /) },
      { line: first + 5, column: 'unit_price', reason: expect.stringMatching(/^unit_price "\.5" /) },
      { line: first + 6, column: 'unit_price', reason: expect.stringMatching(/^unit_price "1000000000000\.00" .*999,?999,?999,?999\.99/) },
      { line: first + 7, column: 'unit_price', reason: 'quantity × unit_price is above 999999999999.99, the largest amount that can be stored' },
    ]);
    expect(await ordersLike('NUM-BAD-%')).toEqual([]);
  });
});

describe('required text and case', () => {
  it('rejects a product_name or category that is empty after trimming', async () => {
    const summary = await ingestContent(
      'empty-text.csv',
      `${[HEADER, ...goodRows('TEXT-FILL'), row({ ref: 'TEXT-NAME', name: '   ' }), row({ ref: 'TEXT-CAT', category: '\t' })].join('\n')}\n`,
    );
    expect(summary).toMatchObject({ status: 'completed', rowsLoaded: GOOD_ROWS, rowsRejected: 2 });
    expect(await rejectsOf(summary.fileId)).toEqual([
      { line: GOOD_ROWS + 2, column: 'product_name', reason: 'product_name is empty' },
      { line: GOOD_ROWS + 3, column: 'category', reason: 'category is empty' },
    ]);
  });

  it('keeps order_ref and sku case-sensitive: A-1 and a-1 are two orders, two products', async () => {
    const summary = await ingestContent(
      'case.csv',
      `${[
        HEADER,
        row({ ref: 'CASE-A-1', email: 'upper@example.com', sku: 'CASE-SKU-X', name: 'Upper', price: '1.00', payment: 'card' }),
        row({ ref: 'case-a-1', email: 'lower@example.com', sku: 'case-sku-x', name: 'Lower', price: '2.00', payment: 'mpesa' }),
      ].join('\n')}\n`,
    );
    expect(summary).toMatchObject({ status: 'completed', rowsLoaded: 2, rowsRejected: 0 });
    const orders = await harness.pool.any(sql.type(z.object({ ref: z.string(), sku: z.string() }))`
      select o.order_ref as ref, p.sku from orders o
      join order_items oi on oi.order_id = o.id join products p on p.id = oi.product_id
      where lower(o.order_ref) = 'case-a-1' order by o.order_ref collate "C"`);
    expect(orders).toEqual([
      { ref: 'CASE-A-1', sku: 'CASE-SKU-X' },
      { ref: 'case-a-1', sku: 'case-sku-x' },
    ]);
    expect((await product('CASE-SKU-X')).name).toBe('Upper');
    expect((await product('case-sku-x')).name).toBe('Lower');
  });
});

describe('latest wins, and ties', () => {
  const DAY = '2026-10-05T12:00:00Z';

  it('on equal order dates takes the region of the higher line number within a file', async () => {
    const summary = await ingestContent(
      'tie-lines.csv',
      `${[
        HEADER,
        row({ ref: 'TIE-L1', date: DAY, email: 'tie-lines@example.com', region: 'Mombasa', sku: 'TIE-L-SKU' }),
        row({ ref: 'TIE-L2', date: DAY, email: 'tie-lines@example.com', region: 'Kisumu', sku: 'TIE-L-SKU' }),
        // Equal date, later line, but no region: it does not erase Kisumu.
        row({ ref: 'TIE-L3', date: DAY, email: 'tie-lines@example.com', region: '', sku: 'TIE-L-OTHER', price: '1.00' }),
      ].join('\n')}\n`,
    );
    expect(summary).toMatchObject({ status: 'completed', rowsLoaded: 3 });
    expect(await regionOfCustomerOf('TIE-L1')).toBe('Kisumu');
  });

  it('on equal order dates takes the base price of the higher line number within a file, whichever chunk loads it', async () => {
    // Forty orders on one day spread over the load's chunks; the last line's price is neither the highest nor the lowest.
    const lines = Array.from({ length: 40 }, (_, i) =>
      row({ ref: `TIE-P${i}`, date: DAY, email: `tie-price${i}@example.com`, sku: 'TIE-P-SKU', price: i === 39 ? '25.00' : `${10 + i}.00` }),
    );
    const summary = await ingestContent('tie-prices.csv', `${[HEADER, ...lines].join('\n')}\n`);
    expect(summary).toMatchObject({ status: 'completed', rowsLoaded: 40 });
    expect((await product('TIE-P-SKU')).basePrice).toBe('25.00');
  });

  it('takes the base price, and the line it came from, of the later of two lines of one order naming the sku', async () => {
    const lines = [
      row({ ref: 'TWICE-1', date: DAY, email: 'twice@example.com', sku: 'TWICE-SKU', price: '7.00' }),
      row({ ref: 'TWICE-1', date: DAY, email: 'twice@example.com', sku: 'TWICE-OTHER', price: '1.00' }),
      row({ ref: 'TWICE-1', date: DAY, email: 'twice@example.com', sku: 'TWICE-SKU', price: '4.00' }),
    ];
    const summary = await ingestContent('twice.csv', `${[HEADER, ...lines].join('\n')}\n`);
    expect(summary).toMatchObject({ status: 'completed', rowsLoaded: 3 });
    expect((await product('TWICE-SKU')).basePrice).toBe('4.00');
    const sourceLinePrice = await harness.pool.oneFirst(sql.type(z.object({ price: z.string() }))`
      select oi.price from products p join order_items oi on oi.id = p.base_price_item_id where p.sku = 'TWICE-SKU'`);
    expect(sourceLinePrice).toBe('4.00');
  });

  it('on equal order dates takes the later file; an earlier date in a later file does not win', async () => {
    const first = await ingestContent(
      'tie-file-1.csv',
      `${[HEADER, row({ ref: 'TIE-F1', date: DAY, email: 'tie-files@example.com', region: 'Arusha', sku: 'TIE-F-SKU', name: 'First name', category: 'First cat', price: '3.00' })].join('\n')}\n`,
    );
    const second = await ingestContent(
      'tie-file-2.csv',
      `${[HEADER, row({ ref: 'TIE-F2', date: DAY, email: 'tie-files@example.com', region: 'Dodoma', sku: 'TIE-F-SKU', name: 'Second name', category: 'Second cat', price: '2.00' })].join('\n')}\n`,
    );
    expect([first.status, second.status]).toEqual(['completed', 'completed']);
    expect(await regionOfCustomerOf('TIE-F1')).toBe('Dodoma');
    expect(await product('TIE-F-SKU')).toEqual({ name: 'Second name', category: 'Second cat', basePrice: '2.00' });

    // Loaded last but dated earlier: its region and price lose; its name and category follow load order.
    const third = await ingestContent(
      'tie-file-3.csv',
      `${[HEADER, row({ ref: 'TIE-F3', date: '2026-10-04T12:00:00Z', email: 'tie-files@example.com', region: 'Moshi', sku: 'TIE-F-SKU', name: 'Third name', category: 'Third cat', price: '8.00' })].join('\n')}\n`,
    );
    expect(third.status).toBe('completed');
    expect(await regionOfCustomerOf('TIE-F1')).toBe('Dodoma');
    expect(await product('TIE-F-SKU')).toEqual({ name: 'Third name', category: 'Third cat', basePrice: '2.00' });

    // A later order without a region never erases the known one.
    const fourth = await ingestContent(
      'tie-file-4.csv',
      `${[HEADER, row({ ref: 'TIE-F4', date: '2026-10-09T12:00:00Z', email: 'tie-files@example.com', region: '  ', sku: 'TIE-F-OTHER' })].join('\n')}\n`,
    );
    expect(fourth.status).toBe('completed');
    expect(await regionOfCustomerOf('TIE-F4')).toBe('Dodoma');
  });

  it('takes a product\'s name and category from the sku\'s last line in the file', async () => {
    const summary = await ingestContent(
      'names-in-file.csv',
      `${[
        HEADER,
        row({ ref: 'NAME-1', date: '2026-10-07T12:00:00Z', sku: 'NAME-SKU', name: 'Early line', category: 'Early cat' }),
        row({ ref: 'NAME-2', date: '2026-10-01T12:00:00Z', sku: 'NAME-SKU', name: 'Last line', category: 'Last cat' }),
      ].join('\n')}\n`,
    );
    expect(summary.status).toBe('completed');
    expect(await product('NAME-SKU')).toMatchObject({ name: 'Last line', category: 'Last cat', basePrice: '10.00' });
  });
});

describe('replacement needs a valid line', () => {
  it('leaves the stored order as it was when every line of it in the later file is rejected', async () => {
    const first = await ingestContent(
      'replace-1.csv',
      `${[HEADER, row({ ref: 'REPL-1', sku: 'REPL-SKU', quantity: '2', price: '5.00' })].join('\n')}\n`,
    );
    expect(first.status).toBe('completed');
    const second = await ingestContent(
      'replace-2.csv',
      `${[
        HEADER,
        ...goodRows('REPL-FILL'),
        row({ ref: 'REPL-1', sku: 'REPL-SKU', quantity: 'none', price: '6.00' }),
        row({ ref: 'REPL-1', sku: 'REPL-SKU-2', quantity: '1', price: '.5' }),
      ].join('\n')}\n`,
    );
    expect(second).toMatchObject({ status: 'completed', rowsLoaded: GOOD_ROWS, rowsRejected: 2 });
    expect(await ordersLike('REPL-1')).toEqual([{ ref: 'REPL-1', total: '10.00', items: 1 }]);
    const owner = await harness.pool.oneFirst(sql.type(z.object({ fileId: z.string() }))`
      select ingestion_file_id as "fileId" from orders where order_ref = 'REPL-1'`);
    expect(owner).toBe(first.fileId);
  });
});

describe('a failed file', () => {
  it('is attempted again when its content is submitted again under another name, not reported as a duplicate', async () => {
    const content = `order_ref,order_date,customer_email,sku,product_name,category,quantity\nFAIL-1,2026-10-01,a@example.com,S,P,C,1\n`;
    const first = await ingestContent('failed-once.csv', content);
    expect(first).toMatchObject({ status: 'failed', duplicateOf: null });
    const again = await ingestContent('failed-renamed.csv', content);
    expect(again).toMatchObject({ status: 'failed', duplicateOf: null, fileId: first.fileId });
    expect(again.error).toMatch(/^failed-renamed\.csv, line 1: the header lacks the required columns unit_price, payment_method/);
    const files = await harness.pool.anyFirst(sql.type(z.object({ status: z.string() }))`
      select status from ingestion_files where id = ${first.fileId}`);
    expect(files).toEqual(['failed']);
  });
});

describe("docs/INPUT_CONTRACT.md's whole-file examples", () => {
  it.each(fileExamples(readContractDoc(), 'pipeline').map((example) => [example.rule, example] as const))(
    'print the documented message: %s',
    async (_rule, example) => {
      const filler = example.needsFiller ? Buffer.from(`${goodRows(`DOC-${example.content.length}`).join('\n')}\n`) : Buffer.alloc(0);
      const path = join(await mkdtemp(join(workDir, 'doc-')), 'orders.csv');
      await writeFile(path, Buffer.concat([example.content, filler]));
      const summary = await harness.ingest(path);
      if (summary.status === 'failed') {
        expect(summary.error).toBe(example.message.replace('FILE_ID', summary.fileId));
      } else {
        const reasons = (await rejectsOf(summary.fileId)).map((reject) => reject.reason);
        expect(reasons.length).toBeGreaterThan(0);
        expect(new Set(reasons)).toEqual(new Set([example.message]));
      }
    },
  );
});
