import { formatLogLine, type PrettyOptions } from './pretty-line.ts';

export type LogFormat = 'json' | 'pretty';

type Target = NodeJS.WritableStream & { isTTY?: boolean };

function isTerminal(target: Target): boolean {
  return target.isTTY === true;
}

/**
 * A person at a terminal reads lines; a pipe, a file or a log collector gets JSON. LOG_FORMAT
 * overrides either way (pretty in a `| less`, JSON on a terminal to copy a line).
 */
export function chooseLogFormat(requested: LogFormat | undefined, target: Target): LogFormat {
  return requested ?? (isTerminal(target) ? 'pretty' : 'json');
}

/** Colours on a terminal only, and never with NO_COLOR set (any non-empty value, as no-color.org says). */
export function useColors(target: Target, env: Record<string, string | undefined>): boolean {
  return isTerminal(target) && !env.NO_COLOR;
}

/**
 * A pino destination that writes each JSON line pino produced as a text line to `target`; pino
 * has already redacted and masked the line, so both formats show the same fields.
 */
export function prettyDestination(target: NodeJS.WritableStream, options: PrettyOptions): { write(chunk: string): boolean } {
  return {
    write(chunk: string): boolean {
      const lines = chunk.split('\n').filter((line) => line !== '');
      return target.write(lines.map((line) => `${formatLogLine(line, options)}\n`).join(''));
    },
  };
}
