import { pipeline, Readable, Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { GZIP_MAGIC_LENGTH, startsWithGzipMagic } from '../domain/gzip-magic.ts';
import { InvalidFileError } from '../errors.ts';

/** An object's text as the parser reads it, and how far into the stored bytes the read has got. */
export type ObjectContent = {
  /** The CSV bytes: the object itself, or what it inflates to when it is gzip-compressed. */
  stream: Readable;
  compressed: boolean;
  /** Bytes of the stored object read so far (compressed bytes for a gzip object). */
  bytesRead(): number;
};

/**
 * The content of a stored object, recognised by its first bytes rather than its name: a gzip
 * object is inflated as it streams, anything else passes as it is. Gzip data that cannot be
 * inflated (cut short, or damaged) is an InvalidFileError naming the file: the same bytes would
 * fail the same way again. Errors of the source itself pass through untouched.
 */
export async function openObjectContent(source: Readable, filename: string): Promise<ObjectContent> {
  const { head, ended } = await readHead(source, GZIP_MAGIC_LENGTH);
  // Bytes cannot be put back into a stream that has ended: a tiny object is read from memory.
  if (ended) source.destroy();
  else source.unshift(head);
  const counted = countBytes(ended ? Readable.from([head]) : source);
  if (!startsWithGzipMagic(head)) return { stream: counted.stream, compressed: false, bytesRead: counted.bytesRead };
  return {
    stream: Readable.from(inflate(counted.stream, filename), { objectMode: false }),
    compressed: true,
    bytesRead: counted.bytesRead,
  };
}

/** A pass-through that counts the bytes that have gone by. */
export function countBytes(source: Readable): { stream: Readable; bytesRead(): number } {
  let bytesRead = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytesRead += chunk.length;
      done(null, chunk);
    },
  });
  pipeline(source, counter, () => {
    // An error of the source reaches the counter, which the pipeline destroys with it.
  });
  return { stream: counter, bytesRead: () => bytesRead };
}

/** At least `bytes` bytes from the start of the stream, or all of it if it ends first. */
async function readHead(source: Readable, bytes: number): Promise<{ head: Buffer; ended: boolean }> {
  const chunks: Buffer[] = [];
  let length = 0;
  let ended = false;
  // The iterator stops short of destroying the stream, so the bytes can be put back and read on.
  const iterator = source.iterator({ destroyOnReturn: false });
  while (length < bytes) {
    const next = (await iterator.next()) as IteratorResult<Buffer>;
    if (next.done) {
      ended = true;
      break;
    }
    chunks.push(next.value);
    length += next.value.length;
  }
  await iterator.return?.();
  return { head: Buffer.concat(chunks), ended };
}

async function* inflate(source: Readable, filename: string): AsyncGenerator<Buffer> {
  const gunzip = createGunzip();
  pipeline(source, gunzip, () => {
    // Errors surface on `gunzip`, read below; stopping early destroys the source too.
  });
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
  } catch (error) {
    throw isZlibError(error) ? corruptGzipError(error, filename) : error;
  }
}

/** By shape, not `instanceof`: zlib's errors may come from another realm (a test's VM context). */
function isZlibError(error: unknown): error is Error & { code: string } {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return typeof code === 'string' && code.startsWith('Z_') && typeof message === 'string';
}

/** zlib's own words say what broke, never anything of the file's content. */
function corruptGzipError(error: Error & { code: string }, filename: string): InvalidFileError {
  const where = { filename };
  if (error.code === 'Z_BUF_ERROR') {
    return new InvalidFileError('the gzip data ends before its end marker: the file is truncated (was the upload or copy cut short?)', where);
  }
  if (/data check/.test(error.message)) {
    return new InvalidFileError('the gzip checksum does not match the inflated data: the file is damaged', where);
  }
  return new InvalidFileError(`the gzip data is damaged and cannot be inflated (${error.message})`, where);
}
