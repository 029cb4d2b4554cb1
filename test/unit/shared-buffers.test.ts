import { describe, expect, it } from '@jest/globals';
import { sharedBuffersMb } from '../../src/stack/postgres-server.ts';

const GIB = 1024 ** 3;

describe('the local PostgreSQL buffers', () => {
  it('take a quarter of the machine memory', () => {
    expect(sharedBuffersMb(24 * GIB)).toBe(6 * 1024);
    expect(sharedBuffersMb(16 * GIB)).toBe(4 * 1024);
  });

  it('never fall below 1 GB on a small machine', () => {
    expect(sharedBuffersMb(2 * GIB)).toBe(1024);
  });

  it('stop at 8 GB on a large one', () => {
    expect(sharedBuffersMb(128 * GIB)).toBe(8 * 1024);
  });
});
