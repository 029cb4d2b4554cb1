/**
 * Reads PostgreSQL's binary COPY data back into rows of raw field bytes (null for a null field),
 * as the server would: the reference the writer (src/db/copy-binary.ts) must meet. Written from
 * the format's description, without the writer's code.
 */
export function readCopyBinaryRows(data: Uint8Array): Array<Array<Buffer | null>> {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (bytes.subarray(0, 11).toString('latin1') !== 'PGCOPY\n\xff\r\n\0') throw new Error('no binary COPY signature');
  let at = 11;
  const flags = bytes.readInt32BE(at);
  const extension = bytes.readInt32BE(at + 4);
  if (flags !== 0 || extension !== 0) throw new Error('unexpected header flags or extension');
  at += 8;
  const rows: Array<Array<Buffer | null>> = [];
  for (;;) {
    const fields = bytes.readInt16BE(at);
    at += 2;
    if (fields === -1) break;
    const row: Array<Buffer | null> = [];
    for (let field = 0; field < fields; field += 1) {
      const length = bytes.readInt32BE(at);
      at += 4;
      if (length === -1) {
        row.push(null);
        continue;
      }
      row.push(bytes.subarray(at, at + length));
      at += length;
    }
    rows.push(row);
  }
  if (at !== bytes.length) throw new Error(`${bytes.length - at} bytes after the trailer`);
  return rows;
}

/** A binary numeric as decimal text with its scale's places. */
export function numericText(field: Buffer): string {
  const digits = field.readInt16BE(0);
  const weight = field.readInt16BE(2);
  const sign = field.readUInt16BE(4);
  const scale = field.readInt16BE(6);
  let units = 0n;
  let exponent = 0;
  for (let index = 0; index < digits; index += 1) {
    units = units * 10_000n + BigInt(field.readInt16BE(8 + index * 2));
    exponent = weight - index;
  }
  // units × 10000^exponent, as an integer count of 10^-scale.
  const shift = exponent * 4 + scale;
  const scaled = digits === 0 ? 0n : shift >= 0 ? units * 10n ** BigInt(shift) : units / 10n ** BigInt(-shift);
  const text = scaled.toString().padStart(scale + 1, '0');
  return `${sign === 0x4000 ? '-' : ''}${text.slice(0, text.length - scale)}.${text.slice(text.length - scale)}`;
}

/** A binary timestamp as Unix milliseconds (its microseconds must be whole milliseconds). */
export function timestampMs(field: Buffer): number {
  const micros = field.readBigInt64BE(0);
  if (micros % 1000n !== 0n) throw new Error('not a whole millisecond');
  return Number(micros / 1000n) + 946_684_800_000;
}
