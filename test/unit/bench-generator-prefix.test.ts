import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { generateOrderLines } from '../../src/sample/generate-order-lines.ts';

const generate = async (options: Parameters<typeof generateOrderLines>[0]) =>
  (await buffer(generateOrderLines(options))).toString('utf8');

describe('the order-ref prefix of the sample generator', () => {
  it('leaves the default output byte for byte as it was before the option existed', async () => {
    // The sha256 of { rows: 2000, seed: 3 } from the generator before refPrefix was added.
    const text = await generate({ rows: 2_000, seed: 3 });
    expect(createHash('sha256').update(text).digest('hex')).toBe('1903fdf54da779d3164ea790ee20cf4eec8650324f236bc3f049b7c6b9a47d61');
    expect(await generate({ rows: 2_000, seed: 3, refPrefix: 'ORD' })).toBe(text);
  });

  it('changes only the order references', async () => {
    const plain = await generate({ rows: 500, seed: 8 });
    const prefixed = await generate({ rows: 500, seed: 8, refPrefix: 'BIG1M' });
    expect(prefixed).not.toBe(plain);
    expect(prefixed).toBe(plain.replace(/^ORD-/gm, 'BIG1M-'));
  });

  it('refuses a prefix that would need CSV quoting', () => {
    expect(() => generateOrderLines({ rows: 1, refPrefix: 'A,B' })).toThrow(/refPrefix/);
    expect(() => generateOrderLines({ rows: 1, refPrefix: '' })).toThrow(/refPrefix/);
  });
});
