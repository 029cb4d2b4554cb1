import { describe, expect, it } from '@jest/globals';
import { loadPipelineConfig, loadStorageConfig, loadWorkerConfig } from '../../src/config.ts';
import { ConfigError } from '../../src/errors.ts';

const complete = {
  DATABASE_URL: 'postgres://app:secret@127.0.0.1:5432/pipeforge',
  MINIO_ENDPOINT: 'http://127.0.0.1:9000',
  MINIO_ACCESS_KEY: 'pipeforge',
  MINIO_SECRET_KEY: 'very-secret-value',
  PIPEFORGE_EMAIL_HASH_KEY: 'a-long-enough-hash-key',
};

describe('configuration from the environment', () => {
  it('applies the documented defaults', () => {
    const config = loadWorkerConfig(complete);
    expect(config.temporal).toEqual({
      address: '127.0.0.1:7233',
      namespace: 'default',
      taskQueue: 'pipeforge-ingest',
      uiUrl: undefined,
    });
    expect(config.pipeline).toEqual({
      emailHashKey: 'a-long-enough-hash-key',
      sourceTimeZone: 'UTC',
      businessTimeZone: 'UTC',
      maxRejectRatio: 0.05,
      parseRangeBytes: 16 * 1024 * 1024,
    });
    expect(config.database.poolSize).toBe(8);
    expect(config.logLevel).toBe('info');
  });

  it('reports every missing variable at once, by name', () => {
    const error = captureError(() => loadWorkerConfig({}));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual(
      expect.arrayContaining([
        'DATABASE_URL is not set',
        'MINIO_ENDPOINT is not set',
        'MINIO_ACCESS_KEY is not set',
        'MINIO_SECRET_KEY is not set',
        'PIPEFORGE_EMAIL_HASH_KEY is not set',
      ]),
    );
  });

  it('names a malformed variable without echoing its value', () => {
    const error = captureError(() => loadWorkerConfig({ ...complete, PIPEFORGE_EMAIL_HASH_KEY: 'short-secret' }));
    expect(String(error)).toMatch(/PIPEFORGE_EMAIL_HASH_KEY must be a secret of at least 16 characters/);
    expect(String(error)).not.toContain('short-secret');
  });

  it('rejects unknown time zones and out-of-range ratios', () => {
    expect(() => loadPipelineConfig({ ...complete, PIPEFORGE_BUSINESS_TZ: 'Africa/Atlantis' })).toThrow(
      /PIPEFORGE_BUSINESS_TZ is not an IANA time zone/,
    );
    expect(() => loadPipelineConfig({ ...complete, PIPEFORGE_MAX_REJECT_RATIO: '1.5' })).toThrow(
      /PIPEFORGE_MAX_REJECT_RATIO/,
    );
    expect(loadPipelineConfig({ ...complete, PIPEFORGE_SOURCE_TZ: 'Africa/Lagos' }).sourceTimeZone).toBe('Africa/Lagos');
  });

  it('treats an empty variable as unset', () => {
    expect(loadWorkerConfig({ ...complete, TEMPORAL_NAMESPACE: '' }).temporal.namespace).toBe('default');
  });

  it('splits the MinIO endpoint into host, port and TLS', () => {
    expect(loadStorageConfig({ ...complete, MINIO_ENDPOINT: 'https://s3.internal.example' })).toMatchObject({
      endPoint: 's3.internal.example',
      port: 443,
      useSSL: true,
    });
    expect(loadStorageConfig(complete)).toMatchObject({ endPoint: '127.0.0.1', port: 9000, useSSL: false });
  });
});

function captureError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
