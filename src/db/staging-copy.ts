import type { NumberedOrderLine } from '../domain/csv-order-lines.ts';
import type { CopyConnection } from './copy-connection.ts';
import { copyTextValue } from './copy-text.ts';

const STAGING_COPY = `copy staging_order_lines (
  ingestion_file_id, line_number, order_ref, order_date, email_hash, customer_region,
  sku, product_name, category, quantity, unit_price, payment_method) from stdin`;

/**
 * Staging's rows as COPY text. Free of database imports on purpose: the parse threads render
 * their batches with it, and the main thread only sends the bytes.
 *
 * Written for the parse's hottest loop: the file id is rendered once per batch, an order's lines
 * (adjacent in the usual export) share one rendering of their date, and only the values a file
 * can fill with any text are checked for characters to escape. The others cannot hold one: the
 * numbers, the email hash (hex digits), the payment method (one of a few words) and the unit price
 * (digits and a point, as the parse validated it).
 */
export function stagingCopyText(fileId: string, lines: readonly NumberedOrderLine[]): string {
  const file = copyTextValue(fileId);
  let text = '';
  let dateTime = Number.NaN;
  let dateText = '';
  for (const line of lines) {
    const time = line.orderDate.getTime();
    if (time !== dateTime) {
      dateTime = time;
      dateText = line.orderDate.toISOString();
    }
    text +=
      `${file}\t${line.lineNumber}\t${copyTextValue(line.orderRef)}\t${dateText}\t${line.emailHash}\t` +
      `${copyTextValue(line.customerRegion)}\t${copyTextValue(line.sku)}\t${copyTextValue(line.productName)}\t` +
      `${copyTextValue(line.category)}\t${line.quantity}\t${line.unitPrice}\t${line.paymentMethod}\n`;
  }
  return text;
}

/**
 * One COPY per batch: a batch commits whole, so the line a parse heartbeats after it is a safe
 * place to resume from. COPY cannot skip rows already there; a resumed parse first removes what
 * lies past its resume point (deleteStagedLinesAfter).
 */
export async function copyStagingText(connection: CopyConnection, copyBytes: Uint8Array): Promise<void> {
  if (copyBytes.byteLength === 0) return;
  await connection.copy(STAGING_COPY, copyBytes);
}
