import { readFile } from 'node:fs/promises';

/**
 * The heading under which BENCHMARKS.md keeps measurements taken by hand (the figures behind choices
 * in the code). `npm run bench` writes everything above it anew and carries this part over as it is.
 */
export const HAND_WRITTEN_HEADING = '## Measurements behind choices in the code';

/** The hand-written part of a report, from its heading to the end; empty when there is none. */
export function handWrittenNotes(markdown: string): string {
  const start = markdown.indexOf(`\n${HAND_WRITTEN_HEADING}\n`);
  return start === -1 ? '' : markdown.slice(start + 1);
}

/** A freshly rendered report followed by the hand-written part of the report it replaces. */
export function withHandWrittenNotes(rendered: string, previous: string): string {
  const notes = handWrittenNotes(previous);
  return notes === '' ? rendered : `${rendered.trimEnd()}\n\n${notes}`;
}

/** The current report's text, or empty when there is none yet. */
export async function readPreviousReport(path: string): Promise<string> {
  return readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
}
