import { describe, expect, it } from '@jest/globals';
import { createCopyBinaryWriter, uuidBytes } from '../../src/db/copy-binary.ts';
import { numericText, readCopyBinaryRows, timestampMs } from '../support/copy-binary-rows.ts';

describe('binary COPY writer', () => {
  it('writes rows of every field kind that read back as written', () => {
    const writer = createCopyBinaryWriter();
    const id = '01a23764-1ff8-75d6-88b6-ada6a7f48310';
    writer.row(5);
    writer.bytes(uuidBytes(id));
    writer.int32(-7);
    writer.text('tab\there, back\\slash\\N, line\r\nbreak, Ünïcödé ✓ 🍵');
    writer.null();
    writer.text('');
    writer.row(1);
    writer.int32(2_147_483_647);

    expect(writer.rows()).toBe(2);
    const [first, second] = readCopyBinaryRows(writer.finish());
    expect(first?.[0]?.toString('hex')).toBe(id.replaceAll('-', ''));
    expect(first?.[1]?.readInt32BE(0)).toBe(-7);
    expect(first?.[2]?.toString('utf8')).toBe('tab\there, back\\slash\\N, line\r\nbreak, Ünïcödé ✓ 🍵');
    // A null stays distinct from an empty text.
    expect(first?.[3]).toBeNull();
    expect(first?.[4]?.length).toBe(0);
    expect(second?.[0]?.readInt32BE(0)).toBe(2_147_483_647);
  });

  it('writes prices as numerics of two places, from zero to the largest amount', () => {
    const prices = ['0.00', '0.05', '0.50', '1.00', '9999.99', '10000.00', '10000.01', '12345678.90', '100000000.00', '999999999999.99'];
    const writer = createCopyBinaryWriter();
    for (const price of prices) {
      writer.row(1);
      writer.money(price);
    }
    const read = readCopyBinaryRows(writer.finish()).map(([field]) => numericText(field!));
    expect(read).toEqual(prices);
  });

  it('writes timestamps to the millisecond, before 2000 and far after it', () => {
    const dates = ['1969-07-20T20:17:40.000Z', '1999-12-31T23:59:59.999Z', '2000-01-01T00:00:00.000Z', '2026-09-05T13:31:13.038Z', '9999-12-31T23:59:59.999Z'];
    const writer = createCopyBinaryWriter();
    for (const date of dates) {
      writer.row(1);
      writer.timestamp(Date.parse(date));
    }
    const read = readCopyBinaryRows(writer.finish()).map(([field]) => new Date(timestampMs(field!)).toISOString());
    expect(read).toEqual(dates);
  });

  it('grows past its first buffer and hands back a buffer of its own', () => {
    const writer = createCopyBinaryWriter(16);
    const long = 'é'.repeat(50_000);
    for (let row = 0; row < 3; row += 1) {
      writer.row(1);
      writer.text(long);
    }
    const data = writer.finish();
    expect(readCopyBinaryRows(data).map(([field]) => field?.toString('utf8'))).toEqual([long, long, long]);
    expect(data.byteOffset).toBe(0);
    expect(data.buffer.byteLength).toBeGreaterThanOrEqual(data.byteLength);
  });

  it('refuses a file id that is not a uuid', () => {
    expect(() => uuidBytes('not-a-uuid')).toThrow(RangeError);
  });
});
