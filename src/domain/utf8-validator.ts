import { isUtf8 } from 'node:buffer';
import { Transform, type TransformCallback } from 'node:stream';
import { InvalidFileError } from '../errors.ts';

const LINE_FEED = 0x0a;

/**
 * Passes bytes through unchanged and fails the stream at the first byte that is not UTF-8, with
 * the physical line it sits on. csv-parse would otherwise decode such bytes to U+FFFD and load a
 * garbled product name without a word.
 *
 * Each chunk is checked whole with the native `isUtf8`; the slow byte-by-byte search only runs on
 * a chunk that fails. A character split across two chunks is held back (at most 3 bytes) and
 * checked with the next chunk.
 *
 * `firstLine` is the line the stream's first byte is on: above 1 for a part of a file that starts
 * at a record boundary, which cannot start with a byte-order mark, so that check is skipped.
 */
export function createUtf8Validator(filename: string, firstLine = 1): Transform {
  let pending: Buffer | null = null;
  let lineFeedsPassed = firstLine - 1;
  let atStart = firstLine === 1;

  const fail = (bytes: Buffer, badIndex: number): InvalidFileError => {
    const line = lineFeedsPassed + countLineFeeds(bytes, badIndex) + 1;
    const byte = bytes[badIndex] ?? 0;
    return new InvalidFileError(
      `the file is not valid UTF-8: byte 0x${byte.toString(16).toUpperCase().padStart(2, '0')} does not ` +
        'belong to a UTF-8 character (was it exported as Windows-1252 or Latin-1? Export it as UTF-8)',
      { filename, line },
    );
  };

  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      let bytes = pending === null ? chunk : Buffer.concat([pending, chunk]);
      pending = null;
      if (atStart && bytes.length > 0) {
        if (bytes.length < 2) {
          pending = bytes;
          callback();
          return;
        }
        atStart = false;
        if (startsWithUtf16Mark(bytes)) {
          callback(
            new InvalidFileError('the file is UTF-16 (it starts with a UTF-16 byte-order mark); export it as UTF-8', {
              filename,
              line: 1,
            }),
          );
          return;
        }
      }
      const cut = incompleteTailStart(bytes);
      if (cut < bytes.length) {
        pending = Buffer.from(bytes.subarray(cut));
        bytes = bytes.subarray(0, cut);
      }
      if (!isUtf8(bytes)) {
        callback(fail(bytes, firstInvalidUtf8Index(bytes)));
        return;
      }
      lineFeedsPassed += countLineFeeds(bytes, bytes.length);
      callback(null, bytes);
    },
    flush(callback: TransformCallback) {
      // Whatever is still held back is a character the file ends in the middle of.
      if (pending !== null && !isUtf8(pending)) callback(fail(pending, firstInvalidUtf8Index(pending)));
      else callback(null, pending ?? undefined);
    },
  });
}

function startsWithUtf16Mark(bytes: Buffer): boolean {
  return (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
}

/** Where a multi-byte character that the buffer ends inside begins, or the length if none. */
function incompleteTailStart(bytes: Buffer): number {
  const end = bytes.length;
  for (let index = end - 1; index >= 0 && index >= end - 3; index -= 1) {
    const byte = bytes[index] ?? 0;
    if (byte < 0x80) return end;
    if (byte >= 0xc0) return end - index < sequenceLength(byte) ? index : end;
  }
  return end;
}

function sequenceLength(leadByte: number): number {
  if (leadByte >= 0xf0) return 4;
  if (leadByte >= 0xe0) return 3;
  return 2;
}

function countLineFeeds(bytes: Buffer, end: number): number {
  let count = 0;
  let index = bytes.indexOf(LINE_FEED);
  while (index !== -1 && index < end) {
    count += 1;
    index = bytes.indexOf(LINE_FEED, index + 1);
  }
  return count;
}

/**
 * The index of the first byte that starts no valid UTF-8 sequence (or starts a truncated one),
 * by the well-formedness table of the Unicode Standard (table 3-7): no overlong forms, no
 * surrogates, nothing above U+10FFFF. Returns -1 when the buffer is valid.
 */
export function firstInvalidUtf8Index(bytes: Uint8Array): number {
  let index = 0;
  while (index < bytes.length) {
    const lead = bytes[index] ?? 0;
    if (lead < 0x80) {
      index += 1;
      continue;
    }
    let length: number;
    let secondLow = 0x80;
    let secondHigh = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) length = 2;
    else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      if (lead === 0xe0) secondLow = 0xa0;
      if (lead === 0xed) secondHigh = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      if (lead === 0xf0) secondLow = 0x90;
      if (lead === 0xf4) secondHigh = 0x8f;
    } else return index;
    if (index + length > bytes.length) return index;
    const second = bytes[index + 1] ?? 0;
    if (second < secondLow || second > secondHigh) return index;
    for (let next = index + 2; next < index + length; next += 1) {
      const continuation = bytes[next] ?? 0;
      if (continuation < 0x80 || continuation > 0xbf) return index;
    }
    index += length;
  }
  return -1;
}
