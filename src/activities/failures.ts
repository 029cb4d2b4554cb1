import { ApplicationFailure } from '@temporalio/common';
import { InvalidFileError, MissingObjectError, RejectRatioExceededError } from '../errors.ts';
import { IngestFailureTypes } from '../workflows/ingest-file-contract.ts';

/**
 * At the activity boundary, input problems become non-retryable failures with a type the retry
 * policy names; anything else (database, storage, network) is rethrown untouched and retried.
 */
export function toActivityFailure(error: unknown): unknown {
  if (error instanceof InvalidFileError) {
    return ApplicationFailure.create({
      message: error.message,
      type: IngestFailureTypes.invalidFile,
      nonRetryable: true,
      details: [{ filename: error.filename, line: error.line ?? null }],
      cause: error,
    });
  }
  if (error instanceof RejectRatioExceededError) {
    return ApplicationFailure.create({
      message: error.message,
      type: IngestFailureTypes.tooManyRejects,
      nonRetryable: true,
      details: [{ rejectedRows: error.rejectedRows, dataRows: error.dataRows }],
      cause: error,
    });
  }
  if (error instanceof MissingObjectError) {
    return ApplicationFailure.create({
      message: error.message,
      type: IngestFailureTypes.missingObject,
      nonRetryable: true,
      cause: error,
    });
  }
  return error;
}
