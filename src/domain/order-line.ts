import type { ColumnIndexes } from './header.ts';
import { subtotalFits } from './money.ts';
import type { OrderLineColumn } from './order-line-columns.ts';
import { createColumnReaders, SUBTOTAL_TOO_LARGE, type OrderLineContext } from './order-line-readers.ts';
import type { Parsed } from './parsed.ts';
import type { PaymentMethod } from './payment-method.ts';

/** One validated line. The email survives only as its keyed hash; money only as a decimal string. */
export type OrderLine = {
  orderRef: string;
  orderDate: Date;
  emailHash: string;
  customerRegion: string | null;
  sku: string;
  productName: string;
  category: string;
  quantity: number;
  /** Canonical decimal with two places, e.g. '1200.50'. */
  unitPrice: string;
  paymentMethod: PaymentMethod;
};

/** Why a row was refused, one entry per broken column; `*` is the row as a whole. */
export type RowProblem = { column: OrderLineColumn | '*'; reason: string };

export type OrderLineResult = { ok: true; line: OrderLine } | { ok: false; errors: RowProblem[] };

export type OrderLineValidator = (record: readonly string[], columns: ColumnIndexes) => OrderLineResult;

/**
 * Validates records against the contract, for one file. It applies the same column readers as
 * the zod row schema (order-line-schema.ts), in the same order, with the same cross-column
 * check, and returns the same result; it only skips zod's per-field bookkeeping, which cost more
 * than all the rules together on a million-row file. A test holds the two to the same answers.
 */
export function createOrderLineValidator(context: OrderLineContext): OrderLineValidator {
  const read = createColumnReaders(context);
  return (record, columns) => {
    const field = (name: OrderLineColumn): string => {
      const index = columns[name];
      return index === undefined ? '' : (record[index] ?? '');
    };
    const orderRef = read.order_ref(field('order_ref'));
    const orderDate = read.order_date(field('order_date'));
    const emailHash = read.customer_email(field('customer_email'));
    const customerRegion = read.customer_region(field('customer_region'));
    const sku = read.sku(field('sku'));
    const productName = read.product_name(field('product_name'));
    const category = read.category(field('category'));
    const quantity = read.quantity(field('quantity'));
    const unitPrice = read.unit_price(field('unit_price'));
    const paymentMethod = read.payment_method(field('payment_method'));
    const subtotalOk = !quantity.ok || !unitPrice.ok || subtotalFits(quantity.value, unitPrice.value);

    if (
      orderRef.ok &&
      orderDate.ok &&
      emailHash.ok &&
      customerRegion.ok &&
      sku.ok &&
      productName.ok &&
      category.ok &&
      quantity.ok &&
      unitPrice.ok &&
      paymentMethod.ok &&
      subtotalOk
    ) {
      return {
        ok: true,
        line: {
          orderRef: orderRef.value,
          // The parsed date may be shared by the lines of an order (memo.ts); each line owns one.
          orderDate: new Date(orderDate.value.getTime()),
          emailHash: emailHash.value,
          customerRegion: customerRegion.value,
          sku: sku.value,
          productName: productName.value,
          category: category.value,
          quantity: quantity.value,
          unitPrice: unitPrice.value,
          paymentMethod: paymentMethod.value,
        },
      };
    }
    const errors: RowProblem[] = [];
    const collect = (column: OrderLineColumn, parsed: Parsed<unknown>): void => {
      if (!parsed.ok) errors.push({ column, reason: parsed.reason });
    };
    collect('order_ref', orderRef);
    collect('order_date', orderDate);
    collect('customer_email', emailHash);
    collect('customer_region', customerRegion);
    collect('sku', sku);
    collect('product_name', productName);
    collect('category', category);
    collect('quantity', quantity);
    collect('unit_price', unitPrice);
    collect('payment_method', paymentMethod);
    if (!subtotalOk) errors.push({ column: 'unit_price', reason: SUBTOTAL_TOO_LARGE });
    return { ok: false, errors };
  };
}

const validators = new WeakMap<OrderLineContext, OrderLineValidator>();

/**
 * Validates one record. The validator is built once per context object, so pass the same
 * context for a whole file (or hold on to createOrderLineValidator's result).
 */
export function validateOrderLine(
  record: readonly string[],
  columns: ColumnIndexes,
  context: OrderLineContext,
): OrderLineResult {
  let validate = validators.get(context);
  if (validate === undefined) {
    validate = createOrderLineValidator(context);
    validators.set(context, validate);
  }
  return validate(record, columns);
}
