import { Readable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { readOrderLines, type RowReject } from '../../src/domain/csv-order-lines.ts';
import { createEmailHasher } from '../../src/domain/email.ts';
import { InvalidFileError, RejectRatioExceededError } from '../../src/errors.ts';
import { CONTRACT_HEADER, fileExamples, readContractDoc, rowExamples } from '../support/contract-examples.ts';

/** docs/INPUT_CONTRACT.md's examples, each run through the real parser: the document cannot go stale. */

const hashEmail = createEmailHasher('input-contract-doc-test-key-0123');
const options = { filename: 'orders.csv', sourceTimeZone: 'UTC', hashEmail, batchSize: 1000 };

async function readAll(content: Buffer): Promise<{ rejects: RowReject[]; rowsRead: number; failure: InvalidFileError | null }> {
  const rejects: RowReject[] = [];
  let rowsRead = 0;
  try {
    for await (const batch of readOrderLines(Readable.from([content]), options)) {
      rejects.push(...batch.rejects);
      rowsRead += batch.rowsRead;
    }
  } catch (error) {
    if (error instanceof InvalidFileError) return { rejects, rowsRead, failure: error };
    throw error;
  }
  return { rejects, rowsRead, failure: null };
}

describe('docs/INPUT_CONTRACT.md', () => {
  const rows = rowExamples();
  const files = fileExamples();

  it('has its examples tables', () => {
    expect(rows.length).toBeGreaterThanOrEqual(25);
    expect(files.length).toBeGreaterThanOrEqual(9);
    expect(fileExamples(readContractDoc(), 'pipeline')).toHaveLength(2);
  });

  it.each(rows.map((example) => [example.rule, example] as const))('row example: %s', async (_rule, example) => {
    const result = await readAll(Buffer.from(`${CONTRACT_HEADER}\n${example.line}\n`, 'utf8'));
    expect(result.failure).toBeNull();
    expect(result.rowsRead).toBe(1);
    expect(result.rejects).toEqual([{ lineNumber: 2, column: example.column, reason: example.message }]);
  });

  it("shows the reject ratio's message as the pipeline words it, naming the file id to run `pipeforge rejects` on", () => {
    const example = fileExamples(readContractDoc(), 'pipeline').find((found) => found.rule.includes('PIPEFORGE_MAX_REJECT_RATIO'));
    expect(example?.message).toBe(new RejectRatioExceededError('orders.csv', 'FILE_ID', 1, 1, 0.05).message);
    expect(example?.message).toContain('`pipeforge rejects FILE_ID`');
  });

  it.each(files.map((example) => [example.rule, example] as const))('file example: %s', async (_rule, example) => {
    const result = await readAll(example.content);
    expect(result.failure?.message).toBe(example.message);
  });
});
