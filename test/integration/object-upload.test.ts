import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from 'minio';
import { loadStorageConfig } from '../../src/config.ts';
import { createObjectStore, type ObjectStore } from '../../src/storage/object-store.ts';
import { putFileToSignedUrl } from '../../src/storage/signed-upload.ts';

/** Uploads go to the real MinIO over a signed link, streamed; what it stores is read back. */
let store: ObjectStore;
let workDir: string;

beforeAll(async () => {
  store = createObjectStore(loadStorageConfig());
  await store.ensureBucket();
  workDir = await mkdtemp(join(tmpdir(), 'pipeforge-upload-'));
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

const keyOf = (name: string) => `test-uploads/${randomBytes(6).toString('hex')}/${name}`;

async function fetchStored(key: string): Promise<{ bytes: Buffer; contentType: string | null }> {
  const response = await fetch(await store.signedReadUrl(key));
  expect(response.status).toBe(200);
  return { bytes: Buffer.from(await response.arrayBuffer()), contentType: response.headers.get('content-type') };
}

describe('uploading a local file', () => {
  it('stores its bytes as they are, as CSV unless told otherwise', async () => {
    // Several MiB of arbitrary bytes, a quote and a line break among them: nothing is re-encoded.
    const content = Buffer.concat([Buffer.from('order_ref,"a\r\nb"\n'), randomBytes(3 * 1024 * 1024 + 17)]);
    const path = join(workDir, 'bytes.csv');
    await writeFile(path, content);
    const plain = keyOf('bytes.csv');
    await store.uploadFile(plain, path);
    expect(await fetchStored(plain)).toEqual({ bytes: content, contentType: 'text/csv' });
    const named = keyOf('report.csv');
    await store.uploadFile(named, path, 'text/csv; charset=utf-8');
    expect((await fetchStored(named)).contentType).toBe('text/csv; charset=utf-8');
    expect(await store.size(named)).toBe(content.length);
  });

  it('stores an empty file', async () => {
    const path = join(workDir, 'empty.csv');
    await writeFile(path, '');
    const key = keyOf('empty.csv');
    await store.uploadFile(key, path);
    expect(await store.size(key)).toBe(0);
  });

  it('names the status, the store\'s reason and the key when the store refuses it', async () => {
    const path = join(workDir, 'refused.csv');
    await writeFile(path, 'order_ref\nA-1\n');
    const config = loadStorageConfig();
    const client = new Client({ endPoint: config.endPoint, port: config.port, useSSL: config.useSSL, accessKey: config.accessKey, secretKey: config.secretKey });
    const key = keyOf('refused.csv');
    const link = new URL(await client.presignedPutObject(config.bucket, key, 60));
    link.searchParams.set('X-Amz-Signature', '0'.repeat(64));
    await expect(putFileToSignedUrl(link.toString(), path, 14, 'text/csv', key)).rejects.toThrow(
      `the object store answered 403 (SignatureDoesNotMatch) to the upload of ${key}`,
    );
    await expect(store.size(key)).rejects.toThrow();
  });
});
