import { describe, expect, it } from '@jest/globals';
import { buffer } from 'node:stream/consumers';
import { Readable } from 'node:stream';
import { readOrderLines } from '../../src/domain/csv-order-lines.ts';
import { createEmailHasher } from '../../src/domain/email.ts';
import { generateOrderLines } from '../../src/sample/generate-order-lines.ts';

const generate = async (options: Parameters<typeof generateOrderLines>[0]) =>
  (await buffer(generateOrderLines(options))).toString('utf8');

describe('the sample generator', () => {
  it('is deterministic for a seed and differs between seeds', async () => {
    const a = await generate({ rows: 300, seed: 9 });
    expect(await generate({ rows: 300, seed: 9 })).toBe(a);
    expect(await generate({ rows: 300, seed: 10 })).not.toBe(a);
  });

  it('writes exactly the requested rows, 1 to 5 lines per order, all valid under the input contract', async () => {
    const text = await generate({ rows: 2_000, seed: 4, days: 7 });
    const linesPerOrder = new Map<string, number>();
    let rows = 0;
    let rejects = 0;
    for await (const batch of readOrderLines(Readable.from([Buffer.from(text)]), {
      filename: 'generated.csv',
      sourceTimeZone: 'UTC',
      hashEmail: createEmailHasher('a-test-key-of-enough-length'),
      batchSize: 500,
    })) {
      rows += batch.lines.length;
      rejects += batch.rejects.length;
      for (const line of batch.lines) linesPerOrder.set(line.orderRef, (linesPerOrder.get(line.orderRef) ?? 0) + 1);
    }
    expect(rows).toBe(2_000);
    expect(rejects).toBe(0);
    const counts = [...linesPerOrder.values()];
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...counts)).toBeLessThanOrEqual(5);
    expect(text).toMatch(/"[^"]*, [^"]*"/);
  });
});
