/** The columns of the input contract (docs: INPUT_CONTRACT.md), in the contract's order. */
export const ORDER_LINE_COLUMNS = [
  'order_ref',
  'order_date',
  'customer_email',
  'customer_region',
  'sku',
  'product_name',
  'category',
  'quantity',
  'unit_price',
  'payment_method',
] as const;

export type OrderLineColumn = (typeof ORDER_LINE_COLUMNS)[number];

export const OPTIONAL_COLUMNS: ReadonlySet<OrderLineColumn> = new Set<OrderLineColumn>(['customer_region']);

export const REQUIRED_COLUMNS: readonly OrderLineColumn[] = ORDER_LINE_COLUMNS.filter(
  (column) => !OPTIONAL_COLUMNS.has(column),
);

const KNOWN: ReadonlySet<string> = new Set<string>(ORDER_LINE_COLUMNS);

export function isOrderLineColumn(name: string): name is OrderLineColumn {
  return KNOWN.has(name);
}
