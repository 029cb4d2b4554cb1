import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import type { Logger } from '../../logger.ts';
import { generateOrderLines, REF_PREFIX } from '../../sample/generate-order-lines.ts';
import { out } from '../output.ts';

/** Writes a deterministic sample export, streaming: ten million rows need no more memory than ten. */
export async function generateCommand(args: string[], _logger: Logger): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      rows: { type: 'string' },
      seed: { type: 'string', default: '1' },
      days: { type: 'string', default: '30' },
      'end-date': { type: 'string' },
      'ref-prefix': { type: 'string', default: 'ORD' },
      out: { type: 'string' },
    },
  });
  if (values.rows === undefined) {
    out.error('usage: pipeforge generate --rows N [--seed S] [--days D] [--end-date YYYY-MM-DD] [--ref-prefix P] [--out FILE]');
    return 2;
  }
  const rows = positiveInteger('--rows', values.rows);
  const seed = positiveInteger('--seed', values.seed);
  const days = positiveInteger('--days', values.days);
  const endDate = values['end-date'];
  if (endDate !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(endDate)) throw new Error('--end-date must be YYYY-MM-DD');
  const refPrefix = values['ref-prefix'];
  if (!REF_PREFIX.test(refPrefix)) {
    out.error('--ref-prefix must be 1 to 20 letters, digits, _ or - (it is written unquoted into every order_ref)');
    return 2;
  }
  const source = generateOrderLines({ rows, seed, days, refPrefix, ...(endDate ? { endDate } : {}) });
  await pipeline(source, values.out ? createWriteStream(values.out) : process.stdout);
  if (values.out) out.error(`wrote ${rows} order lines to ${values.out}`);
  return 0;
}

function positiveInteger(flag: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${flag} must be a positive whole number`);
  return value;
}
