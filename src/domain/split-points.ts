const LINE_FEED = 0x0a;
const QUOTE = 0x22;

/** A byte offset where a record starts, and the physical line it is on (the header is line 1). */
export type SplitPoint = { offset: number; line: number };

/** One part of a file that can be parsed on its own: bytes [start, end), starting on `firstLine`. */
export type ParseRange = { index: number; start: number; end: number; firstLine: number };

export type SplitPointFinder = {
  /** Takes the file's next bytes, in order. */
  push(chunk: Buffer): void;
  /** The split points found, once every byte has been pushed (`totalBytes` of them). */
  finish(): SplitPoint[];
};

/**
 * Finds places where a file can be cut for parsing in parts, as its bytes stream past (the hash
 * stage reads every byte anyway). A cut is made after a line feed outside quotes, the first one
 * at least `spacing` bytes after the previous cut: that line feed ends a record for the parser
 * (csv-order-lines.ts), whose record delimiters are CRLF and LF. Quote state follows RFC 4180:
 * every `"` toggles it, so the escaped `""` inside a quoted field leaves it unchanged. For a file
 * the parser reads without a quoting error that is exactly where its records end; for one it
 * refuses, every cut before the first bad record is still right, so the part holding that record
 * fails the way the whole file does.
 *
 * No cut comes before the end of the first record that surely is not blank (it holds a printable
 * ASCII character other than a quote): the header, or a record after it. The parser skips blank
 * records, so the header may be preceded by some; cutting later than needed is always safe.
 *
 * Only line feeds and quotes are visited, found with the native `indexOf`.
 */
export function createSplitPointFinder(spacing: number): SplitPointFinder {
  if (!Number.isInteger(spacing) || spacing < 1) throw new RangeError('spacing must be a positive integer');
  const points: SplitPoint[] = [];
  let chunkStart = 0;
  let lineFeeds = 0;
  let inQuotes = false;
  let headerPassed = false;
  let recordHasText = false;
  let nextCutAt = spacing;

  /** Until the header is passed, every byte is looked at (a header is short). */
  const scanBeforeHeader = (chunk: Buffer): number => {
    for (let index = 0; index < chunk.length; index += 1) {
      const byte = chunk[index] ?? 0;
      if (byte === QUOTE) inQuotes = !inQuotes;
      else if (byte === LINE_FEED) {
        lineFeeds += 1;
        if (!inQuotes && recordHasText) {
          headerPassed = true;
          cutIfDue(chunkStart + index + 1);
          return index + 1;
        }
      } else if (byte > 0x20 && byte < 0x7f) recordHasText = true;
    }
    return chunk.length;
  };

  const cutIfDue = (offset: number): void => {
    if (offset < nextCutAt) return;
    points.push({ offset, line: lineFeeds + 1 });
    nextCutAt = offset + spacing;
  };

  const scan = (chunk: Buffer, from: number): void => {
    let nextQuote = chunk.indexOf(QUOTE, from);
    let nextLineFeed = chunk.indexOf(LINE_FEED, from);
    while (nextLineFeed !== -1) {
      if (nextQuote !== -1 && nextQuote < nextLineFeed) {
        inQuotes = !inQuotes;
        nextQuote = chunk.indexOf(QUOTE, nextQuote + 1);
        continue;
      }
      lineFeeds += 1;
      if (!inQuotes) cutIfDue(chunkStart + nextLineFeed + 1);
      nextLineFeed = chunk.indexOf(LINE_FEED, nextLineFeed + 1);
    }
    while (nextQuote !== -1) {
      inQuotes = !inQuotes;
      nextQuote = chunk.indexOf(QUOTE, nextQuote + 1);
    }
  };

  return {
    push(chunk) {
      const from = headerPassed ? 0 : scanBeforeHeader(chunk);
      if (headerPassed) scan(chunk, from);
      chunkStart += chunk.length;
    },
    finish() {
      // A cut at the very end would leave an empty last part.
      return points.filter((point) => point.offset < chunkStart);
    },
  };
}

/** The parts a file of `totalBytes` splits into at `points`: the first starts at byte 0, line 1. */
export function parseRangesOf(points: readonly SplitPoint[], totalBytes: number): ParseRange[] {
  const starts: SplitPoint[] = [{ offset: 0, line: 1 }, ...points];
  return starts.map((point, index) => ({
    index,
    start: point.offset,
    end: starts[index + 1]?.offset ?? totalBytes,
    firstLine: point.line,
  }));
}
