import { z } from 'zod';
import type { ColumnIndexes } from './header.ts';
import { subtotalFits } from './money.ts';
import { isOrderLineColumn, type OrderLineColumn } from './order-line-columns.ts';
import type { OrderLineResult, OrderLineValidator, RowProblem } from './order-line.ts';
import { createColumnReaders, SUBTOTAL_TOO_LARGE, type OrderLineContext } from './order-line-readers.ts';
import type { Parsed } from './parsed.ts';

/**
 * Turns a column reader into a zod transform whose issue message is the reader's reason, so
 * reasons stay human and PII-safe (zod's own messages would echo inputs).
 */
function column<T>(read: (raw: string) => Parsed<T>) {
  return z.string().transform((raw, ctx) => {
    const parsed = read(raw);
    if (parsed.ok) return parsed.value;
    ctx.addIssue({ code: 'custom', message: parsed.reason, input: '' });
    return z.NEVER;
  });
}

/**
 * The row schema of the input contract: one string per CSV column, keyed by column name, in,
 * typed values out. Every column is checked even after one fails, so a reject lists everything
 * wrong with the row at once.
 */
export function createOrderLineSchema(context: OrderLineContext) {
  const read = createColumnReaders(context);
  return z
    .object({
      order_ref: column(read.order_ref),
      order_date: column(read.order_date),
      customer_email: column(read.customer_email),
      customer_region: column(read.customer_region),
      sku: column(read.sku),
      product_name: column(read.product_name),
      category: column(read.category),
      quantity: column(read.quantity),
      unit_price: column(read.unit_price),
      payment_method: column(read.payment_method),
    })
    .refine((row) => subtotalFits(row.quantity, row.unit_price), {
      path: ['unit_price'],
      message: SUBTOTAL_TOO_LARGE,
      // Only meaningful once both factors are valid; the other columns need not be.
      when: (payload) =>
        !payload.issues.some((issue) => issue.path?.[0] === 'quantity' || issue.path?.[0] === 'unit_price'),
    });
}

export type OrderLineSchema = ReturnType<typeof createOrderLineSchema>;
/** A raw row: every contract column as text ('' for an absent optional column). */
export type OrderLineRow = z.input<OrderLineSchema>;

/**
 * createOrderLineValidator's contract, run through zod. Several times slower; it is the
 * reference the fast validator is tested against, and fine for a handful of rows.
 */
export function createSchemaOrderLineValidator(context: OrderLineContext): OrderLineValidator {
  const schema = createOrderLineSchema(context);
  return (record, columns) => {
    const result = schema.safeParse(toRow(record, columns));
    if (!result.success) return { ok: false, errors: toRowProblems(result.error.issues) };
    const row = result.data;
    return {
      ok: true,
      line: {
        orderRef: row.order_ref,
        orderDate: new Date(row.order_date.getTime()),
        emailHash: row.customer_email,
        customerRegion: row.customer_region,
        sku: row.sku,
        productName: row.product_name,
        category: row.category,
        quantity: row.quantity,
        unitPrice: row.unit_price,
        paymentMethod: row.payment_method,
      },
    } satisfies OrderLineResult;
  };
}

function toRow(record: readonly string[], columns: ColumnIndexes): OrderLineRow {
  const field = (name: OrderLineColumn): string => {
    const index = columns[name];
    return index === undefined ? '' : (record[index] ?? '');
  };
  return {
    order_ref: field('order_ref'),
    order_date: field('order_date'),
    customer_email: field('customer_email'),
    customer_region: field('customer_region'),
    sku: field('sku'),
    product_name: field('product_name'),
    category: field('category'),
    quantity: field('quantity'),
    unit_price: field('unit_price'),
    payment_method: field('payment_method'),
  };
}

function toRowProblems(issues: readonly z.core.$ZodIssue[]): RowProblem[] {
  return issues.map((issue) => {
    const key = issue.path?.[0];
    const column = typeof key === 'string' && isOrderLineColumn(key) ? key : '*';
    return { column, reason: issue.code === 'custom' ? issue.message : `${column} is invalid` };
  });
}
