import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * A plain request to a presigned link of the object store, over TLS when the link says so. Used
 * where the store's client would cost more than it gives: a parse thread's read, a file's upload.
 */
export function requestSignedLink(url: string, options: RequestOptions, onResponse: (response: IncomingMessage) => void): ClientRequest {
  const send = url.startsWith('https:') ? httpsRequest : httpRequest;
  return send(url, options, onResponse);
}

/** What a refused request to a signed link says: the status, the store's reason if it gave one, and the object. */
export function refusedByStore(status: number, action: 'read' | 'upload', key: string, reason?: string): Error {
  return new Error(`the object store answered ${status}${reason ? ` (${reason})` : ''} to the ${action} of ${key}`);
}
