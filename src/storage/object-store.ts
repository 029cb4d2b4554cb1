import type { Readable } from 'node:stream';
import { Client, S3Error } from 'minio';
import type { StorageConfig } from '../config.ts';
import { MissingObjectError } from '../errors.ts';

/** The few object-storage operations PipeForge uses, so activities and the CLI share one client setup. */
export type ObjectStore = {
  readonly bucket: string;
  ensureBucket(): Promise<void>;
  uploadFile(key: string, localPath: string, metadata?: Record<string, string>): Promise<void>;
  uploadText(key: string, text: string, contentType: string): Promise<void>;
  /** A stream of the object's bytes; a missing object is a MissingObjectError (not retryable). */
  read(key: string): Promise<Readable>;
  size(key: string): Promise<number>;
};

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

  return {
    bucket,
    async ensureBucket() {
      if (!(await client.bucketExists(bucket))) await client.makeBucket(bucket);
    },
    async uploadFile(key, localPath, metadata = {}) {
      await client.fPutObject(bucket, key, localPath, { 'Content-Type': 'text/csv', ...metadata });
    },
    async uploadText(key, text, contentType) {
      await client.putObject(bucket, key, Buffer.from(text, 'utf8'), undefined, { 'Content-Type': contentType });
    },
    async read(key) {
      return client.getObject(bucket, key).catch(missingAsTyped(key));
    },
    async size(key) {
      return (await client.statObject(bucket, key).catch(missingAsTyped(key))).size;
    },
  };
}
