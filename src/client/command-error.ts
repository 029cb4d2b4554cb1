/**
 * A problem the person at the terminal can fix (a wrong path, an unknown id, a stopped stack):
 * the CLI prints its message as one line, without a stack, and exits with its code.
 */
export class CommandError extends Error {
  override readonly name = 'CommandError';
  readonly exitCode: number;

  constructor(message: string, options?: { exitCode?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.exitCode = options?.exitCode ?? 1;
  }
}
