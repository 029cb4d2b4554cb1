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
 * Validates records against the contract, for one file: the column readers (order-line-readers.ts)
 * and the one cross-column check, the subtotal. Every column is read even after one fails, so a
 * reject lists everything wrong with the row at once. Plain calls rather than a schema library,
 * whose per-field bookkeeping would cost more than all the rules together on every row of a file.
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
