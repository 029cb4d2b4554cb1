import type { NumberedOrderLine } from '../domain/csv-order-lines.ts';
import { StagingPartReclaimedError } from '../errors.ts';
import type { CopyBinaryWriter } from './copy-binary.ts';
import type { CopyConnection } from './copy-connection.ts';

/** The columns in the order writeStagingRows writes them. */
const STAGING_COLUMNS = [
  'ingestion_file_id',
  'line_number',
  'order_ref',
  'order_date',
  'email_hash',
  'customer_region',
  'sku',
  'product_name',
  'category',
  'quantity',
  'unit_price',
  'payment_method',
] as const;

export const STAGING_COPY = `copy staging_order_lines (${STAGING_COLUMNS.join(', ')}) from stdin with (format binary)`;

/**
 * Staging's rows in binary COPY form (copy-binary.ts): PostgreSQL stores the file id, line number,
 * date, quantity and price as they come instead of parsing each from text, and no value needs an
 * escape. Free of database imports on purpose: the parse threads write their batches with it, and
 * the main thread only sends the bytes. `fileId` is the file's uuid as bytes (uuidBytes).
 */
export function writeStagingRows(writer: CopyBinaryWriter, fileId: Uint8Array, lines: readonly NumberedOrderLine[]): void {
  for (const line of lines) {
    writer.row(STAGING_COLUMNS.length);
    writer.bytes(fileId);
    writer.int32(line.lineNumber);
    writer.text(line.orderRef);
    writer.timestamp(line.orderDate.getTime());
    writer.text(line.emailHash);
    if (line.customerRegion === null) writer.null();
    else writer.text(line.customerRegion);
    writer.text(line.sku);
    writer.text(line.productName);
    writer.text(line.category);
    writer.int32(line.quantity);
    writer.money(line.unitPrice);
    // An enum's binary form is its label.
    writer.text(line.paymentMethod);
  }
}

/**
 * Who may write one part of a file's staged lines (sql/013): the parse attempt that claimed the part
 * last (staging-writers.ts). `firstLine` names the part: WHOLE_FILE_PART for a file parsed whole,
 * the range's first line for a part of one. Crosses to the parse thread with its job.
 */
export type StagingWriter = { fileId: string; firstLine: number; writer: string };

/** The part of a file parsed whole. */
export const WHOLE_FILE_PART = 0;

/** A row back means the writer still holds its part, and holds it until the transaction ends. */
export const HOLD_STAGING_PART = `
  select 1 from staging_part_writers
  where ingestion_file_id = $1 and first_line = $2 and writer = $3
  for share`;

/**
 * One COPY per batch, in a transaction that first holds the writer's part: a batch commits whole,
 * so the line a parse heartbeats after it is a safe place to resume from, and it commits only while
 * its attempt is the part's writer. COPY cannot skip rows already there; a resumed parse first
 * removes what lies past its resume point (claimStagingPart). An empty batch is no COPY at all.
 */
export async function copyStagingRows(connection: CopyConnection, copyBytes: Uint8Array, writer: StagingWriter): Promise<void> {
  if (copyBytes.byteLength === 0) return;
  await connection.inTransaction(async () => {
    const held = await connection.query(HOLD_STAGING_PART, [writer.fileId, writer.firstLine, writer.writer]);
    if (held === 0) throw new StagingPartReclaimedError(writer.fileId, writer.firstLine);
    await connection.copy(STAGING_COPY, copyBytes);
  });
}
