import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { generateOrderLines, REF_PREFIX } from '../../sample/generate-order-lines.ts';
import { UsageError } from '../../errors.ts';
import { commandRunner } from '../command-line/run.ts';
import { GENERATE } from '../command-specs/stack.ts';
import { out } from '../output.ts';

/** Writes a deterministic sample export, streaming: ten million rows need no more memory than ten. */
export const generateCommand = commandRunner('generate', GENERATE, async ({ values }) => {
  const { rows, seed, days } = values;
  const endDate = values['end-date'];
  if (endDate !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(endDate)) throw new UsageError('--end-date must be YYYY-MM-DD');
  const refPrefix = values['ref-prefix'];
  if (!REF_PREFIX.test(refPrefix)) {
    throw new UsageError('--ref-prefix must be 1 to 20 letters, digits, _ or - (it is written unquoted into every order_ref)');
  }
  const source = generateOrderLines({ rows, seed, days, refPrefix, ...(endDate ? { endDate } : {}) });
  await pipeline(source, values.out ? createWriteStream(values.out) : process.stdout);
  if (values.out) out.error(`wrote ${rows} order lines to ${values.out}`);
  return 0;
});
