/**
 * PostgreSQL's binary COPY format, written straight into one growing buffer: a signature and
 * header, then per row its field count and each field as a length and its bytes (-1 for null),
 * and a trailer. PostgreSQL then stores each value as it comes, without parsing text into its type,
 * and text needs no escapes. Free of database imports: the parse threads write with it.
 */

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** No flags, no header extension. */
const HEADER_REST_BYTES = 8;
const TRAILER = -1;
/** The most bytes UTF-8 takes for one UTF-16 code unit: room for this many per unit always fits a string. */
const MAX_UTF8_BYTES_PER_UNIT = 3;
const FIRST_CAPACITY = 64 * 1024;
/** 2000-01-01T00:00:00Z, PostgreSQL's epoch for timestamps, in Unix milliseconds. */
const POSTGRES_EPOCH_MS = 946_684_800_000;
const NUMERIC_POSITIVE = 0x0000;
const NUMERIC_BASE_DIGITS = 4;

export type CopyBinaryWriter = {
  /** Starts a row of `fields` fields; exactly that many field writes must follow. */
  row(fields: number): void;
  null(): void;
  int32(value: number): void;
  text(value: string): void;
  /** A field's bytes as they are (a uuid's 16, say). */
  bytes(value: Uint8Array): void;
  /** A timestamptz, from Unix milliseconds. */
  timestamp(unixMs: number): void;
  /** A non-negative numeric given as canonical decimal text with two places ('1200.50'). */
  money(canonical: string): void;
  rows(): number;
  /** The finished COPY data, in a buffer of its own (never pooled, so it can be moved to another thread). */
  finish(): Uint8Array;
};

export function createCopyBinaryWriter(expectedBytes = FIRST_CAPACITY): CopyBinaryWriter {
  let buffer = Buffer.allocUnsafeSlow(Math.max(expectedBytes, FIRST_CAPACITY));
  let used = 0;
  let rowCount = 0;
  const ensure = (more: number): void => {
    if (used + more <= buffer.length) return;
    const larger = Buffer.allocUnsafeSlow(Math.max(buffer.length * 2, used + more));
    buffer.copy(larger, 0, 0, used);
    buffer = larger;
  };
  const int16 = (value: number): void => {
    buffer.writeInt16BE(value, used);
    used += 2;
  };
  const int32 = (value: number): void => {
    buffer.writeInt32BE(value, used);
    used += 4;
  };

  SIGNATURE.copy(buffer, 0);
  used = SIGNATURE.length;
  buffer.fill(0, used, used + HEADER_REST_BYTES);
  used += HEADER_REST_BYTES;

  return {
    row(fields) {
      ensure(2);
      int16(fields);
      rowCount += 1;
    },
    null() {
      ensure(4);
      int32(-1);
    },
    int32(value) {
      ensure(8);
      int32(4);
      int32(value);
    },
    text(value) {
      ensure(4 + value.length * MAX_UTF8_BYTES_PER_UNIT);
      const written = buffer.write(value, used + 4, 'utf8');
      int32(written);
      used += written;
    },
    bytes(value) {
      ensure(4 + value.byteLength);
      int32(value.byteLength);
      buffer.set(value, used);
      used += value.byteLength;
    },
    timestamp(unixMs) {
      ensure(12);
      int32(8);
      // As a BigInt: microseconds beyond about 285 years from 2000 no longer fit a double exactly.
      buffer.writeBigInt64BE(BigInt(unixMs - POSTGRES_EPOCH_MS) * 1000n, used);
      used += 8;
    },
    money(canonical) {
      const point = canonical.indexOf('.');
      const whole = canonical.slice(0, point);
      const cents = Number(canonical.slice(point + 1));
      // Base-10000 digits of the whole part, most significant first, leading zeros left out.
      const wholeDigits: number[] = [];
      for (let end = whole.length; end > 0; end -= NUMERIC_BASE_DIGITS) {
        wholeDigits.unshift(Number(whole.slice(Math.max(0, end - NUMERIC_BASE_DIGITS), end)));
      }
      while (wholeDigits[0] === 0) wholeDigits.shift();
      // Two decimal places are the first base-10000 digit after the point: .50 is 5000.
      const digits = cents === 0 ? wholeDigits : [...wholeDigits, cents * 100];
      ensure(4 + 8 + digits.length * 2);
      int32(8 + digits.length * 2);
      int16(digits.length);
      int16(digits.length === 0 ? 0 : wholeDigits.length - 1);
      int16(NUMERIC_POSITIVE);
      int16(2);
      for (const digit of digits) int16(digit);
    },
    rows: () => rowCount,
    finish() {
      ensure(2);
      int16(TRAILER);
      return buffer.subarray(0, used);
    },
  };
}

/** A uuid's 16 bytes, from its text form. */
export function uuidBytes(uuid: string): Uint8Array {
  const bytes = Buffer.from(uuid.replaceAll('-', ''), 'hex');
  if (bytes.length !== 16) throw new RangeError(`not a uuid: ${uuid}`);
  return bytes;
}
