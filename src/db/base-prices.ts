import type { DatabaseTransactionConnection, FragmentSqlToken } from 'slonik';
import { sql } from './sql.ts';

/**
 * Sets the base price of each of the products from all of their stored lines: the unit price of
 * the line with the latest order date, then the latest line id. A product with no line left keeps
 * what it had. Used where a product's winning line may be gone (a replaced or reverted order), so
 * that moving forward from a known line is not enough.
 */
export async function recomputeBasePricesFromLines(
  tx: DatabaseTransactionConnection,
  productIds: FragmentSqlToken,
): Promise<void> {
  await tx.query(sql.typeAlias('void')`
    update products p
    set base_price = latest.price, base_price_at = latest.order_date, base_price_item_id = latest.id,
        updated_at = now()
    from (
      select distinct on (oi.product_id) oi.product_id, oi.id, oi.price, o.order_date
      from order_items oi
      join orders o on o.id = oi.order_id
      where oi.product_id in (${productIds})
      order by oi.product_id, o.order_date desc, oi.id desc
    ) latest
    where p.id = latest.product_id
      and (p.base_price, p.base_price_at, p.base_price_item_id) is distinct from (latest.price, latest.order_date, latest.id)`);
}
