import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { MissingObjectError } from '../errors.ts';
import { countBytes, openObjectContent } from '../storage/object-content.ts';
import type { ByteRange } from '../storage/object-store.ts';
import { refusedByStore, requestSignedLink } from '../storage/signed-link.ts';
import type { ParseSource } from './protocol.ts';

export type OpenedSource = { stream: Readable; compressed: boolean; bytesRead(): number };

/**
 * The job's bytes, fetched over the signed link the activity made: a part is read as it is stored
 * (split points lie in plain text only, the hash stage finds none in a compressed object); a
 * whole object is inflated when it is gzip. A plain request rather than the store's client: each
 * thread would otherwise load that client's code and keep its buffers, for one GET per job.
 */
export async function openParseSource({ signedUrl, objectKey, byteRange }: ParseSource, filename: string): Promise<OpenedSource> {
  const response = await get(signedUrl, byteRange);
  const status = response.statusCode ?? 0;
  if (status !== 200 && status !== 206) {
    response.resume();
    // Anything but a missing object (an expired link, a server in trouble) is worth another attempt.
    if (status === 404) throw new MissingObjectError(objectKey);
    throw refusedByStore(status, 'read', objectKey);
  }
  if (byteRange === undefined) return openObjectContent(response, filename);
  return { ...countBytes(response), compressed: false };
}

function get(url: string, byteRange: ByteRange | undefined): Promise<IncomingMessage> {
  const headers = byteRange === undefined ? {} : { range: `bytes=${byteRange.offset}-${byteRange.offset + byteRange.length - 1}` };
  return new Promise((resolve, reject) => {
    requestSignedLink(url, { headers }, resolve).on('error', reject).end();
  });
}
