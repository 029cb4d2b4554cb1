import { InvalidFileError } from '../errors.ts';
import { resolveHeader, type ResolvedHeader } from './header.ts';
import { createOrderLineValidator, type OrderLine, type OrderLineValidator, type RowProblem } from './order-line.ts';
import { displayValue } from './quote-value.ts';

export type NumberedOrderLine = OrderLine & { lineNumber: number };
export type RowReject = { lineNumber: number; column: RowProblem['column']; reason: string };

export type OrderLineBatch = {
  lines: NumberedOrderLine[];
  /** One entry per broken column of each rejected row; a row can appear more than once. */
  rejects: RowReject[];
  /** Data rows read for this batch, valid or not (blank lines are not rows). */
  rowsRead: number;
  /** lineNumber of the last row read so far: in this batch, else an earlier one (1 = header). */
  lastLineNumber: number;
};

export type OrderLineBatchOptions = {
  /** The name the user knows the file by, for error messages. */
  filename: string;
  sourceTimeZone: string;
  hashEmail: (normalizedEmail: string) => string;
  /** Data rows per batch. */
  batchSize: number;
  logger?: { warn(obj: object, msg: string): void };
};

export type OrderLineBatcher = {
  /** Takes the next record (the header first); returns the batch it completed, if any. */
  add(fields: string[], lineNumber: number): OrderLineBatch | null;
  /** The last batch, possibly empty. Throws InvalidFileError if no header was ever added. */
  finish(): OrderLineBatch;
};

/** Where a part of a file starts: its file's header, and the physical line of its first byte. */
export type RangeStart = { header: { fields: string[]; lineNumber: number }; firstLine: number };

/**
 * Turns the records of one file, in order, into batches of validated lines and rejects: the
 * first record is the header, checked against the contract; each later one is a data row. Given
 * a `rangeStart`, every record is a data row of the part of the file that starts there, read with
 * the file's header (checked again, though its warnings are left to the part that holds it).
 */
export function createOrderLineBatcher(options: OrderLineBatchOptions, rangeStart?: RangeStart): OrderLineBatcher {
  const { batchSize } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError('batchSize must be a positive integer');
  let header: ResolvedHeader | undefined;
  let validate: OrderLineValidator | undefined;
  let batch = emptyBatch(1);
  if (rangeStart !== undefined) {
    header = checkHeader(rangeStart.header.fields, rangeStart.header.lineNumber, { ...options, logger: undefined });
    validate = createOrderLineValidator(options);
    batch = emptyBatch(rangeStart.firstLine - 1);
  }

  return {
    add(fields, lineNumber) {
      if (header === undefined || validate === undefined) {
        header = checkHeader(fields, lineNumber, options);
        validate = createOrderLineValidator(options);
        batch.lastLineNumber = lineNumber;
        return null;
      }
      batch.rowsRead += 1;
      batch.lastLineNumber = lineNumber;
      if (fields.length !== header.fieldCount) {
        batch.rejects.push({
          lineNumber,
          column: '*',
          reason: `${fields.length} fields, the header has ${header.fieldCount}`,
        });
      } else {
        const result = validate(fields, header.columns);
        // The line is this call's own object: numbering it in place spares a copy per row.
        if (result.ok) batch.lines.push(Object.assign(result.line, { lineNumber }));
        else for (const problem of result.errors) batch.rejects.push({ lineNumber, ...problem });
      }
      if (batch.rowsRead < batchSize) return null;
      const full = batch;
      batch = emptyBatch(lineNumber);
      return full;
    },
    finish() {
      if (header === undefined) {
        throw new InvalidFileError('the file is empty: it has no header line', { filename: options.filename });
      }
      return batch;
    },
  };
}

function emptyBatch(lastLineNumber: number): OrderLineBatch {
  return { lines: [], rejects: [], rowsRead: 0, lastLineNumber };
}

function checkHeader(fields: string[], line: number, options: OrderLineBatchOptions): ResolvedHeader {
  const header = resolveHeader(fields);
  const problems: string[] = [];
  if (header.missing.length > 0) {
    const plural = header.missing.length === 1 ? 'column' : 'columns';
    problems.push(`the header lacks the required ${plural} ${header.missing.join(', ')}`);
  }
  if (header.duplicated.length > 0) {
    problems.push(`the header names ${header.duplicated.join(', ')} more than once`);
  }
  if (problems.length > 0) {
    // The "header" may be a data row of a file exported without one: its names are masked.
    const found = fields.map((field) => JSON.stringify(displayValue(field.trim()))).join(', ');
    throw new InvalidFileError(`${problems.join('; ')} (the header is: ${found})`, {
      filename: options.filename,
      line,
    });
  }
  if (header.unknown.length > 0) {
    options.logger?.warn(
      { filename: options.filename, ignoredColumns: header.unknown.map(displayValue) },
      'the header has columns that are not in the input contract; they are ignored',
    );
  }
  return header;
}
