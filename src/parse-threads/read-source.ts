import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { MissingObjectError } from '../errors.ts';
import { countBytes, openObjectContent } from '../storage/object-content.ts';
import type { ByteRange } from '../storage/object-store.ts';
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
    throw new Error(`the object store answered ${status} to the read of ${objectKey}`);
  }
  if (byteRange === undefined) return openObjectContent(response, filename);
  return { ...countBytes(response), compressed: false };
}

function get(url: string, byteRange: ByteRange | undefined): Promise<IncomingMessage> {
  const send = url.startsWith('https:') ? httpsRequest : httpRequest;
  const headers = byteRange === undefined ? {} : { range: `bytes=${byteRange.offset}-${byteRange.offset + byteRange.length - 1}` };
  return new Promise((resolve, reject) => {
    send(url, { headers }, resolve).on('error', reject).end();
  });
}
