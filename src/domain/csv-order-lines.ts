import { CsvError, parse, type InfoRecord } from 'csv-parse';
import { pipeline, type Readable } from 'node:stream';
import { InvalidFileError } from '../errors.ts';
import { createOrderLineBatcher, type OrderLineBatch, type OrderLineBatchOptions } from './order-line-batches.ts';
import { createPhysicalLines } from './physical-lines.ts';
import { createUtf8Validator } from './utf8-validator.ts';

export type { NumberedOrderLine, OrderLineBatch, RowReject } from './order-line-batches.ts';
export type ReadOrderLinesOptions = OrderLineBatchOptions;

/**
 * csv-parse counts the characters of the fields of a record (close to its bytes for the mostly
 * ASCII text of an export); anything longer is a wrong quote, not an order line.
 */
export const MAX_RECORD_SIZE = 1024 * 1024;

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
  const { filename } = options;
  const batcher = createOrderLineBatcher(options);

  // Physical lines are counted here as csv-parse emits records (its own counter counts a CR
  // inside a quoted field as a line). Emission can run ahead of 'data', hence the queue.
  const lines = createPhysicalLines();
  let emptyLinesSeen = 0;
  let parserLinesSeen = 0;
  const startLines: number[] = [];
  const nextStartLine = (emptyLines: number): number => lines.nextStart(emptyLines - emptyLinesSeen);

  const parser = parse({
    bom: true,
    delimiter: ',',
    quote: '"',
    escape: '"',
    // Explicit, so a file that mixes CRLF and LF still splits on both.
    record_delimiter: ['\r\n', '\n'],
    max_record_size: MAX_RECORD_SIZE,
    relax_column_count: true,
    skip_empty_lines: true,
    on_record: (record: string[], context: InfoRecord) => {
      const blankLines = context.empty_lines - emptyLinesSeen;
      // csv-parse's count only ever overcounts, so when it advanced by exactly this record and
      // the blank lines before it, the record has no line feed inside and needs no scan.
      const spansOneLine = context.lines - parserLinesSeen === 1 + blankLines;
      emptyLinesSeen = context.empty_lines;
      parserLinesSeen = context.lines;
      const startLine = lines.take(blankLines, spansOneLine ? 0 : countLineFeeds(record));
      if (isBlank(record)) return null;
      startLines.push(startLine);
      return record;
    },
  });
  pipeline(source, createUtf8Validator(filename), parser, () => {
    // Every error also reaches the parser, which the pipeline destroys with it.
  });

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
      const full = batcher.add(record, startLines.shift() ?? lines.lastEnd());
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
    failure ??= error instanceof CsvError ? toInvalidFileError(error, filename, nextStartLine) : error;
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

/**
 * csv-parse's own messages can quote field values (an email among them), so the reasons are
 * written here, and the original error is deliberately not kept as the cause.
 */
function toInvalidFileError(
  error: CsvError,
  filename: string,
  startLineOf: (emptyLines: number) => number,
): InvalidFileError {
  const line = typeof error.empty_lines === 'number' ? startLineOf(error.empty_lines) : undefined;
  const where = { filename, line };
  switch (error.code) {
    case 'CSV_MAX_RECORD_SIZE':
      return new InvalidFileError('a record is longer than 1 MiB (is a quote left open?)', where);
    case 'CSV_QUOTE_NOT_CLOSED':
      return new InvalidFileError(
        'a quoted field that starts in this record is never closed: the file ends inside quotes',
        where,
      );
    case 'CSV_INVALID_CLOSING_QUOTE':
      return new InvalidFileError(
        'a closing quote is followed by something other than a comma or the end of the line ' +
          '(a quote inside a quoted field is written twice: "")',
        where,
      );
    case 'INVALID_OPENING_QUOTE':
      return new InvalidFileError(
        'a quote appears inside an unquoted field (quote the whole field and write the inner quote twice: "")',
        where,
      );
    default:
      return new InvalidFileError(`the file is not valid CSV (${error.code})`, where);
  }
}

function countLineFeeds(record: readonly string[]): number {
  let count = 0;
  for (const field of record) {
    let index = field.indexOf('\n');
    while (index !== -1) {
      count += 1;
      index = field.indexOf('\n', index + 1);
    }
  }
  return count;
}

function isBlank(record: readonly string[]): boolean {
  return record.length === 1 && (record[0] ?? '').trim() === '';
}
