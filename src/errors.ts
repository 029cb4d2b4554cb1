import { ApplicationFailure } from '@temporalio/common';
import { FailureTypes } from './shared.ts';

/** A configuration variable is missing or malformed. The message names variables, never values. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.problems = problems;
  }
}

export type InvalidFileContext = {
  /** The file name the user knows the file by. */
  filename: string;
  /** 1-based physical line in the file, when the problem has one. */
  line?: number | undefined;
};

/**
 * The file itself cannot be ingested: fixing it is up to the person who exported it, so a retry
 * would only fail again. Maps to a non-retryable failure.
 */
export class InvalidFileError extends Error {
  override readonly name = 'InvalidFileError';
  readonly filename: string;
  readonly line: number | undefined;
  readonly reason: string;

  constructor(reason: string, context: InvalidFileContext, options?: { cause?: unknown }) {
    const where = context.line === undefined ? context.filename : `${context.filename}, line ${context.line}`;
    super(`${where}: ${reason}`, options);
    this.filename = context.filename;
    this.line = context.line;
    this.reason = reason;
  }
}

/** Too large a share of the rows broke the contract; the file is refused as a whole. */
export class RejectRatioExceededError extends Error {
  override readonly name = 'RejectRatioExceededError';
  readonly filename: string;
  readonly rejectedRows: number;
  readonly dataRows: number;
  readonly maxRatio: number;

  constructor(filename: string, rejectedRows: number, dataRows: number, maxRatio: number) {
    const percent = ((rejectedRows / dataRows) * 100).toFixed(1);
    super(
      `${filename}: ${rejectedRows} of ${dataRows} rows (${percent}%) were rejected, above the limit of ` +
        `${(maxRatio * 100).toFixed(1)}% (PIPEFORGE_MAX_REJECT_RATIO); nothing was loaded. ` +
        `Run \`pipeforge rejects\` on the file id to see why.`,
    );
    this.filename = filename;
    this.rejectedRows = rejectedRows;
    this.dataRows = dataRows;
    this.maxRatio = maxRatio;
  }
}

/** The object a workflow was asked to ingest is not in the bucket (deleted, or a wrong key). */
export class MissingObjectError extends Error {
  override readonly name = 'MissingObjectError';
  readonly objectKey: string;

  constructor(objectKey: string, options?: { cause?: unknown }) {
    super(`object ${objectKey} does not exist in the bucket`, options);
    this.objectKey = objectKey;
  }
}

/**
 * At the activity boundary, input problems become non-retryable failures with a type the retry
 * policy names; anything else (database, storage, network) is rethrown untouched and retried.
 */
export function toActivityFailure(error: unknown): unknown {
  if (error instanceof InvalidFileError) {
    return ApplicationFailure.create({
      message: error.message,
      type: FailureTypes.invalidFile,
      nonRetryable: true,
      details: [{ filename: error.filename, line: error.line ?? null }],
      cause: error,
    });
  }
  if (error instanceof RejectRatioExceededError) {
    return ApplicationFailure.create({
      message: error.message,
      type: FailureTypes.tooManyRejects,
      nonRetryable: true,
      details: [{ rejectedRows: error.rejectedRows, dataRows: error.dataRows }],
      cause: error,
    });
  }
  if (error instanceof MissingObjectError) {
    return ApplicationFailure.create({
      message: error.message,
      type: FailureTypes.missingObject,
      nonRetryable: true,
      cause: error,
    });
  }
  return error;
}
