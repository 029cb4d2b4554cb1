/**
 * PipeForge's error classes, plain and free of any Temporal SDK: the domain, the configuration and
 * the CLI raise them, and only the activity boundary (activities/failures.ts) turns them into
 * failures a retry policy can match.
 */

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
  readonly fileId: string;

  /** The message names the file id, so the command it suggests can be copied as it stands. */
  constructor(filename: string, fileId: string, rejectedRows: number, dataRows: number, maxRatio: number) {
    const percent = ((rejectedRows / dataRows) * 100).toFixed(1);
    super(
      `${filename}: ${rejectedRows} of ${dataRows} rows (${percent}%) were rejected, above the limit of ` +
        `${(maxRatio * 100).toFixed(1)}% (PIPEFORGE_MAX_REJECT_RATIO); nothing was loaded. ` +
        `Run \`pipeforge rejects ${fileId}\` to see why.`,
    );
    this.fileId = fileId;
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
 * A parse attempt found the part of staging it writes claimed by a newer attempt of the same part
 * (staging-writers.ts): what it would write is that one's to write, so it wrote nothing.
 */
export class StagingPartReclaimedError extends Error {
  override readonly name = 'StagingPartReclaimedError';

  constructor(fileId: string, firstLine: number) {
    super(`the staged lines of file ${fileId} from line ${firstLine} are written by a newer attempt`);
  }
}

/** A command line that cannot work as given: reported in one line with the usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * A file cannot be reverted as asked: unknown, not (yet) loaded, or loaded before PipeForge kept
 * what a revert needs. Nothing was changed; trying again would be refused the same way.
 */
export class RevertRefusedError extends Error {
  override readonly name = 'RevertRefusedError';
}
