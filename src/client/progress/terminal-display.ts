import { createProgressDisplay, type ProgressDisplay } from './progress-display.ts';

/** The display for this process's stdout: bars on a terminal, plain lines in a pipe. */
export function terminalProgressDisplay(filenames: readonly string[]): ProgressDisplay {
  return createProgressDisplay(filenames, {
    tty: process.stdout.isTTY === true,
    columns: () => process.stdout.columns ?? 100,
    write: (text) => process.stdout.write(text),
  });
}
