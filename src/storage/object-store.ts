import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { Client, S3Error } from 'minio';
import type { StorageConfig } from '../config.ts';
import { MissingObjectError } from '../errors.ts';
import { openObjectContent, type ObjectContent } from './object-content.ts';
import { putFileToSignedUrl, SINGLE_PUT_LIMIT_BYTES } from './signed-upload.ts';

/** The few object-storage operations PipeForge uses, so activities and the CLI share one client setup. */
export type ObjectStore = {
  readonly bucket: string;
  ensureBucket(): Promise<void>;
  /** A local file stored under `key`, as CSV unless another content type is named. */
  uploadFile(key: string, localPath: string, contentType?: string): Promise<void>;
  uploadText(key: string, text: string, contentType: string): Promise<void>;
  /**
   * A stream of the object's bytes, or of `length` of them from `offset`; a missing object is a
   * MissingObjectError (not retryable).
   */
  read(key: string, range?: ByteRange): Promise<Readable>;
  /**
   * The whole object as CSV text: inflated when it is gzip-compressed (object-content.ts), so the
   * parse and the rejects report read a compressed export as they read a plain one.
   */
  readContent(key: string, filename: string): Promise<ObjectContent>;
  /**
   * A link that reads the object with a plain GET (a Range header reads a part), for a parse
   * thread, which has no client of its own. Signing checks nothing: a missing object answers 404.
   */
  signedReadUrl(key: string): Promise<string>;
  size(key: string): Promise<number>;
  /** Resolves when the server answers and the bucket exists (for readiness checks). */
  ping(): Promise<boolean>;
  /** Objects under a prefix, recursively, with their ETags (which change when an object is replaced). */
  listObjects(prefix: string): AsyncIterable<StoredObject>;
  /**
   * MinIO's bucket-notification extension: calls `onCreated` for each object created under the
   * prefix until `stop()`; `onError` when the stream breaks (the caller reconnects).
   */
  listenForCreated(prefix: string, onCreated: (object: StoredObject) => void, onError: (error: Error) => void): { stop(): void };
};

export type StoredObject = { key: string; etag: string };
export type ByteRange = { offset: number; length: number };

/**
 * A parse job may wait behind others for a free thread before its read starts; a link that has
 * expired by then fails that attempt, and the next signs a new one.
 */
const SIGNED_READ_SECONDS = 60 * 60;
/** Used at once by the upload that signs it. */
const SIGNED_UPLOAD_SECONDS = 15 * 60;

export function createObjectStore(config: StorageConfig): ObjectStore {
  const client = new Client({
    endPoint: config.endPoint,
    port: config.port,
    useSSL: config.useSSL,
    accessKey: config.accessKey,
    secretKey: config.secretKey,
  });
  const bucket = config.bucket;

  const missingAsTyped = (key: string) => (error: unknown) => {
    if (error instanceof S3Error && (error.code === 'NoSuchKey' || error.code === 'NotFound')) {
      throw new MissingObjectError(key, { cause: error });
    }
    throw error;
  };

  const read = async (key: string, range?: ByteRange): Promise<Readable> => {
    const reading = range === undefined ? client.getObject(bucket, key) : client.getPartialObject(bucket, key, range.offset, range.length);
    return reading.catch(missingAsTyped(key));
  };

  return {
    bucket,
    async ensureBucket() {
      if (!(await client.bucketExists(bucket))) await client.makeBucket(bucket);
    },
    async uploadFile(key, localPath, contentType = 'text/csv') {
      const { size } = await stat(localPath);
      if (size > SINGLE_PUT_LIMIT_BYTES) {
        await client.fPutObject(bucket, key, localPath, { 'Content-Type': contentType });
        return;
      }
      const link = await client.presignedPutObject(bucket, key, SIGNED_UPLOAD_SECONDS);
      await putFileToSignedUrl(link, localPath, size, contentType, key);
    },
    async uploadText(key, text, contentType) {
      await client.putObject(bucket, key, Buffer.from(text, 'utf8'), undefined, { 'Content-Type': contentType });
    },
    read,
    async readContent(key, filename) {
      return openObjectContent(await read(key), filename);
    },
    async signedReadUrl(key) {
      return client.presignedGetObject(bucket, key, SIGNED_READ_SECONDS);
    },
    async size(key) {
      return (await client.statObject(bucket, key).catch(missingAsTyped(key))).size;
    },
    async ping() {
      return client.bucketExists(bucket);
    },
    async *listObjects(prefix) {
      for await (const item of client.listObjectsV2(bucket, prefix, true) as AsyncIterable<{ name?: string; etag?: string }>) {
        if (item.name) yield { key: item.name, etag: item.etag ?? '' };
      }
    },
    listenForCreated(prefix, onCreated, onError) {
      const listener = client.listenBucketNotification(bucket, prefix, '', ['s3:ObjectCreated:*']);
      listener.on('notification', (record: unknown) => {
        const object = (record as { s3?: { object?: { key?: unknown; eTag?: unknown } } } | null)?.s3?.object;
        const key = object?.key;
        // Keys arrive URL-encoded in S3 event records (a space is `+`).
        if (typeof key === 'string' && key !== '') {
          onCreated({ key: decodeURIComponent(key.replace(/\+/g, ' ')), etag: typeof object?.eTag === 'string' ? object.eTag : '' });
        }
      });
      listener.on('error', (error: unknown) => onError(error instanceof Error ? error : new Error(String(error))));
      return { stop: () => listener.stop() };
    },
  };
}
