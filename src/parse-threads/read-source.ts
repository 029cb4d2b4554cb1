import type { Readable } from 'node:stream';
import type { StorageConfig } from '../config.ts';
import { countBytes } from '../storage/object-content.ts';
import { createObjectStore, type ObjectStore } from '../storage/object-store.ts';
import type { ParseSource } from './protocol.ts';

export type OpenedSource = { stream: Readable; compressed: boolean; bytesRead(): number };

/**
 * One store client per thread, kept from job to job (its HTTP agent keeps connections open). The
 * thread reads its bytes itself so that they never pass through the main thread, whose heap
 * every activity of the worker shares.
 */
let client: { config: string; store: ObjectStore } | undefined;
function storeFor(storage: StorageConfig): ObjectStore {
  const config = JSON.stringify(storage);
  if (client?.config !== config) client = { config, store: createObjectStore(storage) };
  return client.store;
}

/**
 * The job's bytes: a part is read as it is stored (split points lie in plain text only, the hash
 * stage finds none in a compressed object); a whole object is inflated when it is gzip.
 */
export async function openParseSource({ storage, objectKey, byteRange }: ParseSource, filename: string): Promise<OpenedSource> {
  const store = storeFor(storage);
  if (byteRange === undefined) return store.readContent(objectKey, filename);
  return { ...countBytes(await store.read(objectKey, byteRange)), compressed: false };
}
