import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { redactUrlPassword } from '../../src/client/redact-url.ts';
import { createLogger } from '../../src/logger.ts';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString('utf8'));
      callback();
    },
  });
  return { lines, logger: createLogger('info', { component: 'test' }, destination) };
}

describe('the logger', () => {
  it('censors secret-named and email-named fields at any of the first three levels', () => {
    const { lines, logger } = capture();
    logger.info(
      {
        password: 'hunter2-password',
        secretKey: 'minio-secret-value',
        accessKey: 'minio-access-value',
        emailHashKey: 'hash-key-value-0123456789',
        token: 'bearer-token-value',
        config: { storage: { secretKey: 'nested-secret-value' }, PIPEFORGE_EMAIL_HASH_KEY: 'env-hash-key-value' },
        row: { customer_email: 'amina@example.com', customerEmail: 'kofi@example.com' },
      },
      'starting',
    );
    const text = lines.join('');
    for (const secret of [
      'hunter2-password',
      'minio-secret-value',
      'minio-access-value',
      'hash-key-value-0123456789',
      'bearer-token-value',
      'nested-secret-value',
      'env-hash-key-value',
      'amina@example.com',
      'kofi@example.com',
    ]) {
      expect(text).not.toContain(secret);
    }
    const line = JSON.parse(text) as Record<string, unknown>;
    expect(line.password).toBe('[redacted]');
    expect(line.msg).toBe('starting');
  });

  it('keeps a database URL but hides its password', () => {
    const { lines, logger } = capture();
    logger.info({ databaseUrl: 'postgres://pipeforge:s3cr3t-pw@127.0.0.1:5433/pipeforge' }, 'connecting');
    const line = JSON.parse(lines.join('')) as { databaseUrl: string };
    expect(line.databaseUrl).toBe('postgres://pipeforge:***@127.0.0.1:5433/pipeforge');
  });

  it('hides the password of a connection string quoted inside any text', () => {
    const { lines, logger } = capture();
    logger.error({ detail: 'connect failed: postgres://pipeforge:s3cr3t-pw@127.0.0.1:5433/db' }, 'no database');
    const line = JSON.parse(lines.join('')) as { detail: string };
    expect(line.detail).toBe('connect failed: postgres://pipeforge:***@127.0.0.1:5433/db');
  });

  it('masks email-like text in messages, string values and errors whatever the key', () => {
    const { lines, logger } = capture();
    logger.warn({ note: 'value amina@example.com in column sku', list: ['kofi＠example.com'] }, 'saw zuri@example.org');
    logger.error({ err: new Error('bad row for wanjiru@example.com') }, 'failed');
    const text = lines.join('');
    expect(text).not.toMatch(/amina|kofi|zuri|wanjiru/);
    expect(text).toContain('[email]');
    const failed = JSON.parse(lines[1] ?? '{}') as { err: { message: string; type: string; stack: string } };
    expect(failed.err.type).toBe('Error');
    expect(failed.err.message).toBe('bad row for [email]');
  });

  it('leaves ordinary fields as they are, dates and format arguments included', () => {
    const { lines, logger } = capture();
    logger.info(
      { fileId: 'abc', rowsRead: 10, objectKey: 'uploads/x/orders.csv', at: new Date('2026-09-01T10:00:00Z') },
      'parsed %s rows of %s',
      10,
      'orders.csv',
    );
    expect(JSON.parse(lines.join(''))).toMatchObject({
      fileId: 'abc',
      rowsRead: 10,
      objectKey: 'uploads/x/orders.csv',
      at: '2026-09-01T10:00:00.000Z',
      msg: 'parsed 10 rows of orders.csv',
    });
  });
});

describe('redactUrlPassword (what `pipeforge dev` prints for PostgreSQL)', () => {
  it('hides the password and keeps the rest', () => {
    expect(redactUrlPassword('postgresql://pipeforge:Zx9-secret@127.0.0.1:5433/pipeforge')).toBe(
      'postgresql://pipeforge:***@127.0.0.1:5433/pipeforge',
    );
  });

  it('leaves a URL without a password unchanged', () => {
    expect(redactUrlPassword('postgresql://pipeforge@127.0.0.1:5433/pipeforge')).toBe('postgresql://pipeforge@127.0.0.1:5433/pipeforge');
  });

  it('prints nothing of a value that is not a URL', () => {
    expect(redactUrlPassword('not a url with secret')).toBe('***');
  });
});
