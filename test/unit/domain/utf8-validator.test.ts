import { describe, expect, it } from '@jest/globals';
import { isUtf8 } from 'node:buffer';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { InvalidFileError } from '../../../src/errors.ts';
import { createUtf8Validator, firstInvalidUtf8Index } from '../../../src/domain/utf8-validator.ts';

function chunked(bytes: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let start = 0; start < bytes.length; start += size) chunks.push(bytes.subarray(start, start + size));
  return chunks;
}

/** The bytes that come out; compared as bytes because decoding would drop a byte-order mark. */
async function passThrough(chunks: Buffer[]): Promise<Buffer> {
  return buffer(Readable.from(chunks).pipe(createUtf8Validator('f.csv')));
}

async function failure(chunks: Buffer[]): Promise<InvalidFileError> {
  const error = await passThrough(chunks).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof InvalidFileError)) throw new Error(`expected an InvalidFileError, got ${String(error)}`);
  return error;
}

describe('createUtf8Validator', () => {
  const sample = Buffer.from('a,b\nKaribu ☕,ü\nemoji 🛒 here\n', 'utf8');

  it.each([1, 2, 3, 5, 64 * 1024])('passes valid UTF-8 through unchanged in chunks of %d bytes', async (size) => {
    expect(await passThrough(chunked(sample, size))).toEqual(sample);
  });

  it('names the line of the first bad byte', async () => {
    const bytes = Buffer.concat([Buffer.from('header\nfine\nCaf'), Buffer.from([0xe9]), Buffer.from('\nmore\n')]);
    for (const size of [1, 4, bytes.length]) {
      const error = await failure(chunked(bytes, size));
      expect(error.line).toBe(3);
      expect(error.message).toMatch(/^f\.csv, line 3: the file is not valid UTF-8: byte 0xE9/);
    }
  });

  it('counts lines across chunks', async () => {
    const lines = Array.from({ length: 500 }, (_, index) => `line ${index + 1}`).join('\n');
    const bytes = Buffer.concat([Buffer.from(`${lines}\nbad `), Buffer.from([0xff]), Buffer.from('\n')]);
    expect((await failure(chunked(bytes, 97))).line).toBe(501);
  });

  it.each([
    ['an overlong slash', [0xc0, 0xaf]],
    ['an overlong three-byte form', [0xe0, 0x80, 0xaf]],
    ['a UTF-16 surrogate', [0xed, 0xa0, 0x80]],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['a lone continuation byte', [0x80]],
    ['a lead byte followed by ASCII', [0xe2, 0x41, 0x41]],
  ])('refuses %s', async (_label, sequence) => {
    const bytes = Buffer.concat([Buffer.from('ok\nx'), Buffer.from(sequence), Buffer.from('y\n')]);
    expect((await failure([bytes])).line).toBe(2);
  });

  it('refuses a file that ends in the middle of a character', async () => {
    const bytes = Buffer.concat([Buffer.from('ok\n'), Buffer.from([0xf0, 0x9f, 0x9b])]);
    expect((await failure(chunked(bytes, 2))).line).toBe(2);
  });

  it('points UTF-16 files out as such', async () => {
    const bytes = Buffer.from('\ufeffa,b\n', 'utf16le');
    const error = await failure([bytes]);
    expect(error.message).toMatch(/UTF-16/);
    expect(error.line).toBe(1);
  });

  it('accepts a UTF-8 byte-order mark and an empty stream', async () => {
    expect(await passThrough([Buffer.from('\ufeffa\n')])).toEqual(Buffer.from([0xef, 0xbb, 0xbf, 0x61, 0x0a]));
    expect(await passThrough([])).toEqual(Buffer.alloc(0));
    expect(await passThrough([Buffer.from('a')])).toEqual(Buffer.from('a'));
  });
});

describe('firstInvalidUtf8Index', () => {
  it('agrees with the native check on random bytes', () => {
    // A fixed linear congruential generator keeps the test repeatable.
    let seed = 42;
    const nextByte = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % 256;
    };
    const interesting = [0x41, 0x0a, 0x80, 0xbf, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff];
    for (let run = 0; run < 5000; run += 1) {
      const length = 1 + (nextByte() % 8);
      const bytes = Buffer.from(
        Array.from({ length }, () => (nextByte() % 2 ? (interesting[nextByte() % interesting.length] ?? 0) : nextByte())),
      );
      const index = firstInvalidUtf8Index(bytes);
      expect(index === -1).toBe(isUtf8(bytes));
      if (index !== -1) expect(isUtf8(bytes.subarray(0, index))).toBe(true);
    }
  });

  it('finds the start of the broken sequence', () => {
    expect(firstInvalidUtf8Index(Buffer.from([0x61, 0xe2, 0x82, 0x61]))).toBe(1);
    expect(firstInvalidUtf8Index(Buffer.from('a€b'))).toBe(-1);
  });
});
