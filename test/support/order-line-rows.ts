/** Hand-written order lines for tests of the input rules: one CSV line per row, the header first. */
export const ORDER_LINES_HEADER =
  'order_ref,order_date,customer_email,customer_region,sku,product_name,category,quantity,unit_price,payment_method';

export type OrderLineRow = {
  ref: string;
  date: string;
  email: string;
  region: string;
  sku: string;
  name: string;
  category: string;
  quantity: string;
  price: string;
  payment: string;
};

/** A writer of valid rows on `date` unless told otherwise; each test states only what it varies. */
export function orderLineRows(date: string): (overrides: Partial<OrderLineRow> & { ref: string }) => string {
  return (overrides) => {
    const r: OrderLineRow = {
      date,
      email: 'buyer@example.com',
      region: 'Nairobi',
      sku: 'SKU-1',
      name: 'Product 1',
      category: 'Cat',
      quantity: '1',
      price: '10.00',
      payment: 'mpesa',
      ...overrides,
    };
    return [r.ref, r.date, r.email, r.region, r.sku, r.name, r.category, r.quantity, r.price, r.payment].join(',');
  };
}
