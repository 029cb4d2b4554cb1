/**
 * Line numbers as the sender of a file sees them in an editor: a record is numbered by the 1-based
 * physical line (line feed) it starts on, so a record after a quoted multi-line field starts
 * further down, and skipped blank lines still count. The parser numbers its rows with this, and so
 * does the rejects report the records it quotes: a reject's line always names the record the
 * report shows beside it.
 */
export type PhysicalLines = {
  /** The line the next record starts on, when `blankLines` skipped blank lines come before it. */
  nextStart(blankLines?: number): number;
  /** Numbers the next record: `blankLines` skipped blank lines before it, `lineFeeds` inside it. */
  take(blankLines: number, lineFeeds: number): number;
  /** The line the last numbered record ends on; 0 before the first. */
  lastEnd(): number;
};

/** `linesBefore`: lines that precede the text being numbered (0 for a whole file). */
export function createPhysicalLines(linesBefore = 0): PhysicalLines {
  let lastEndLine = linesBefore;
  const nextStart = (blankLines = 0): number => lastEndLine + 1 + blankLines;
  return {
    nextStart,
    take(blankLines, lineFeeds) {
      const start = nextStart(blankLines);
      lastEndLine = start + lineFeeds;
      return start;
    },
    lastEnd: () => lastEndLine,
  };
}
