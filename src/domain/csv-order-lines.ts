import type { Readable } from 'node:stream';
import { createRecordParser } from './csv-records.ts';
import {
  createOrderLineBatcher,
  type OrderLineBatch,
  type OrderLineBatchOptions,
  type RangeStart,
} from './order-line-batches.ts';

export type { NumberedOrderLine, OrderLineBatch, RangeStart, RowReject } from './order-line-batches.ts';
export { MAX_RECORD_SIZE, readHeaderRecord, type HeaderRecord } from './csv-records.ts';
export type ReadOrderLinesOptions = OrderLineBatchOptions & {
  /**
   * Reads a part of a file rather than a whole one: the source holds the bytes from a split point
   * (split-points.ts) on, up to a later one or the end, and every record in it is a data row. Its
   * lines, rejects and line numbers are those a read of the whole file gives for the same records.
   */
  range?: RangeStart;
};

/**
 * Streams a CSV export into validated order lines and row rejects, `batchSize` rows at a time.
 * At most one batch is held back: parsing pauses until the caller takes it, so the source is
 * read only as fast as batches are consumed.
 *
 * - Line numbers are physical lines (physical-lines.ts): the header is line 1 unless blank lines
 *   precede it, and a record after a quoted multi-line field starts further down.
 * - Blank lines, including lines of only spaces and a lone "", are skipped and are not rows.
 * - A row with the wrong number of fields is a reject for column `*`, not a file failure.
 * - After the last full batch a final batch is always yielded, empty when the rows divided
 *   evenly (or the file has only a header), so the end of the file is an explicit event.
 * - Stopping early (break, return, a throw in the loop) closes the source.
 *
 * Throws InvalidFileError for a file that cannot be read as the contract's CSV: empty (no
 * header), a header without every required column or with one twice, bytes that are not UTF-8,
 * a record over MAX_RECORD_SIZE, or broken quoting. Errors of the source stream pass through.
 */
export async function* readOrderLines(
  source: Readable,
  options: ReadOrderLinesOptions,
): AsyncGenerator<OrderLineBatch, void, undefined> {
  const { filename, range } = options;
  const batcher = createOrderLineBatcher(options, range);
  const { parser, takeStartLine, fileError } = createRecordParser(source, filename, range?.firstLine ?? 1);

  // Records are taken from 'data' events rather than an async iterator: a promise per record
  // cost more than a tenth of the parse time on a million rows.
  const ready: OrderLineBatch[] = [];
  let failure: unknown;
  let ended = false;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  parser.on('data', (record: string[]) => {
    try {
      const full = batcher.add(record, takeStartLine());
      if (full === null) return;
      ready.push(full);
      parser.pause();
    } catch (error) {
      failure ??= error;
      parser.destroy();
    }
    notify();
  });
  parser.on('end', () => {
    ended = true;
    notify();
  });
  parser.on('error', (error) => {
    failure ??= fileError(error);
    notify();
  });

  try {
    for (;;) {
      const next = ready.shift();
      if (next !== undefined) {
        yield next;
        parser.resume();
      } else if (failure !== undefined) {
        throw failure;
      } else if (ended) {
        break;
      } else {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    }
  } finally {
    // A caller that stops early (break, or a failed write) must not leave the download open.
    source.destroy();
    parser.destroy();
  }
  yield batcher.finish();
}
