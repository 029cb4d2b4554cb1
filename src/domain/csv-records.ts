import { CsvError, parse, type InfoRecord, type Parser } from 'csv-parse';
import { pipeline, type Readable } from 'node:stream';
import { InvalidFileError } from '../errors.ts';
import { createPhysicalLines } from './physical-lines.ts';
import { createUtf8Validator } from './utf8-validator.ts';

/**
 * csv-parse counts the characters of the fields of a record (close to its bytes for the mostly
 * ASCII text of an export); anything longer is a wrong quote, not an order line.
 */
export const MAX_RECORD_SIZE = 1024 * 1024;

export type RecordParser = {
  /** Emits each non-blank record as a `string[]` on 'data'. */
  parser: Parser;
  /** What an error the parser emitted means to the user: an InvalidFileError with its line, or itself. */
  fileError(error: unknown): unknown;
  /** The physical line of the record just emitted on 'data' (call once per record, in order). */
  takeStartLine(): number;
};

/**
 * The contract's CSV dialect as csv-parse reads it, with every record numbered by physical line
 * (physical-lines.ts) and every parse error turned into an InvalidFileError with its line.
 * `firstLine` is the line the source's first byte is on: 1 for a whole file, more for a part of
 * one that starts at a record boundary (split-points.ts); only a whole file may start with a BOM.
 */
export function createRecordParser(source: Readable, filename: string, firstLine = 1): RecordParser {
  // Physical lines are counted here as csv-parse emits records (its own counter counts a CR
  // inside a quoted field as a line). Emission can run ahead of 'data', hence the queue.
  const lines = createPhysicalLines(firstLine - 1);
  let emptyLinesSeen = 0;
  let parserLinesSeen = 0;
  const startLines: number[] = [];
  const nextStartLine = (emptyLines: number): number => lines.nextStart(emptyLines - emptyLinesSeen);

  const parser = parse({
    bom: firstLine === 1,
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
  pipeline(source, createUtf8Validator(filename, firstLine), parser, () => {
    // Every error also reaches the parser, which the pipeline destroys with it.
  });
  return {
    parser,
    takeStartLine: () => startLines.shift() ?? lines.lastEnd(),
    fileError: (error) => (error instanceof CsvError ? toInvalidFileError(error, filename, nextStartLine) : error),
  };
}

/** A file's header record as the parser reads it, and the line it is on. */
export type HeaderRecord = { fields: string[]; lineNumber: number };

/**
 * Reads only as far as the first non-blank record of a whole file (its header) and closes the
 * source. Null for a file with no record at all.
 */
export async function readHeaderRecord(source: Readable, filename: string): Promise<HeaderRecord | null> {
  const { parser, takeStartLine, fileError } = createRecordParser(source, filename);
  try {
    return await new Promise<HeaderRecord | null>((resolve, reject) => {
      parser.once('data', (fields: string[]) => resolve({ fields, lineNumber: takeStartLine() }));
      parser.once('end', () => resolve(null));
      parser.once('error', (error) => reject(fileError(error)));
    });
  } finally {
    source.destroy();
    parser.destroy();
  }
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
