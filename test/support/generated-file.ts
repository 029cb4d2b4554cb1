import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { generateOrderLines, type GeneratorOptions } from '../../src/sample/generate-order-lines.ts';

/**
 * Writes a generated order-lines file. `orderPrefix` replaces the generator's `ORD-` so that
 * several files share customers, products and days without sharing (and so replacing) orders.
 */
export async function writeGeneratedFile(path: string, options: GeneratorOptions & { orderPrefix?: string }): Promise<string> {
  const { orderPrefix, ...generator } = options;
  const out = createWriteStream(path);
  await pipeline(
    generateOrderLines(generator),
    async function* (chunks: AsyncIterable<Buffer | string>) {
      for await (const chunk of chunks) {
        const text = chunk.toString();
        yield orderPrefix === undefined ? text : text.replaceAll('ORD-', orderPrefix);
      }
    },
    out,
  );
  return path;
}
