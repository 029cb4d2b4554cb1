import { createReadStream } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { refusedByStore, requestSignedLink } from './signed-link.ts';

/**
 * What one PUT may carry: S3's limit for an object written in one request. A larger file goes up
 * in parts through the store's client.
 */
export const SINGLE_PUT_LIMIT_BYTES = 5 * 1024 ** 3;

/** The store's complaint, when it answers with one: its XML names the reason (AccessDenied, ...). */
const ERROR_BODY_LIMIT = 4096;

/**
 * Streams a local file to a presigned PUT link. A signed link carries an unsigned payload, so the
 * bytes are sent as they are read; the store's client instead hashes every part before sending it,
 * which cost the upload most of its time (BENCHMARKS.md). Any answer but 200 is an error
 * naming the status and the key.
 */
export async function putFileToSignedUrl(url: string, localPath: string, size: number, contentType: string, key: string): Promise<void> {
  let answered: (response: IncomingMessage) => void = () => {};
  const answer = new Promise<IncomingMessage>((resolve) => (answered = resolve));
  const request = requestSignedLink(url, { method: 'PUT', headers: { 'content-length': size, 'content-type': contentType } }, answered);
  const sending = pipeline(createReadStream(localPath), request);
  // A store that refuses the request may answer before it has read the body, and then hang up.
  const response = await Promise.race([answer, sending.then(() => answer)]);
  if (response.statusCode === 200) await sending;
  else sending.catch(() => {});
  const body = await readSome(response);
  if (response.statusCode !== 200) {
    const reason = /<Code>([^<]+)<\/Code>/.exec(body)?.[1];
    throw refusedByStore(response.statusCode ?? 0, 'upload', key, reason);
  }
}

async function readSome(response: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of response) {
    if (text.length < ERROR_BODY_LIMIT) text += String(chunk);
  }
  return text.slice(0, ERROR_BODY_LIMIT);
}
