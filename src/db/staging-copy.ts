import type { NumberedOrderLine } from '../domain/csv-order-lines.ts';
import type { CopyConnection } from './copy-connection.ts';
import { copyTextRow } from './copy-text.ts';

const STAGING_COPY = `copy staging_order_lines (
  ingestion_file_id, line_number, order_ref, order_date, email_hash, customer_region,
  sku, product_name, category, quantity, unit_price, payment_method) from stdin`;

/**
 * Staging's rows as COPY text. Free of database imports on purpose: the parse threads render
 * their batches with it, and the main thread only sends the text.
 */
export function stagingCopyText(fileId: string, lines: readonly NumberedOrderLine[]): string {
  let text = '';
  for (const line of lines) {
    text += copyTextRow([
      fileId,
      line.lineNumber,
      line.orderRef,
      line.orderDate.toISOString(),
      line.emailHash,
      line.customerRegion,
      line.sku,
      line.productName,
      line.category,
      line.quantity,
      line.unitPrice,
      line.paymentMethod,
    ]);
  }
  return text;
}

/**
 * One COPY per batch: a batch commits whole, so the line a parse heartbeats after it is a safe
 * place to resume from. COPY cannot skip rows already there; a resumed parse first removes what
 * lies past its resume point (deleteStagedLinesAfter).
 */
export async function copyStagingText(connection: CopyConnection, copyText: string): Promise<void> {
  if (copyText === '') return;
  await connection.copy(STAGING_COPY, copyText);
}
