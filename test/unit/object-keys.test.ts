import { describe, expect, it } from '@jest/globals';
import {
  DROP_PREFIX,
  objectFileName,
  rejectsReportKey,
  safeFileName,
  UPLOAD_PREFIX,
  uploadKey,
} from '../../src/storage/object-keys.ts';

const hash = 'a'.repeat(64);

describe('upload keys', () => {
  it('keeps an ordinary name and groups it under the content hash', () => {
    expect(uploadKey(hash, 'orders-2026-11.csv')).toBe(`${UPLOAD_PREFIX}${hash}/orders-2026-11.csv`);
  });

  it.each([
    ['../../etc/passwd', 'passwd'],
    ['C:\\exports\\orders.csv', 'orders.csv'],
    ['..', 'unnamed.csv'],
    ['.hidden.csv', 'hidden.csv'],
    ['orders; rm -rf ~.csv', 'orders_rm_-rf_.csv'],
    ['line\nbreak\u0000.csv', 'line_break_.csv'],
    ['', 'unnamed.csv'],
  ])('reduces %j to a safe last segment', (name, expected) => {
    expect(safeFileName(name)).toBe(expected);
    expect(uploadKey(hash, name).startsWith(`${UPLOAD_PREFIX}${hash}/`)).toBe(true);
    expect(uploadKey(hash, name).slice(UPLOAD_PREFIX.length + hash.length + 1)).not.toMatch(/[/\\]|\.\./);
  });

  it('puts CLI uploads outside the drop zone that `pipeforge watch` listens to', () => {
    expect(uploadKey(hash, 'orders.csv')).toBe(`uploads/${hash}/orders.csv`);
    expect(uploadKey(hash, 'orders.csv').startsWith(DROP_PREFIX)).toBe(false);
    expect(DROP_PREFIX).toBe('incoming/');
  });

  it('names a dropped object after the last segment of its key', () => {
    expect(objectFileName('incoming/2026/11/orders export.csv')).toBe('orders_export.csv');
  });

  it('bounds the length', () => {
    expect(safeFileName(`${'x'.repeat(500)}.csv`).length).toBeLessThanOrEqual(120);
  });
});

describe('rejects report keys', () => {
  it('names the report after the object, under a prefix of its own', () => {
    expect(rejectsReportKey('uploads/abc/orders.csv')).toBe('rejects/uploads/abc/orders.csv.rejects.csv');
    expect(rejectsReportKey('incoming/x.csv').startsWith('incoming/')).toBe(false);
  });
});
