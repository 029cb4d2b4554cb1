import { createPhysicalLines } from '../domain/physical-lines.ts';

/** A record as written in the file: the physical line it starts on and its text, line breaks included. */
export type RawRecord = { lineNumber: number; text: string };

/** Longer original text is cut: a report line is for reading, and the parser refused longer records anyway. */
export const MAX_ORIGINAL_CHARACTERS = 64 * 1024;

/**
 * Splits a CSV byte stream into its records as written, numbered with the parser's line numbers
 * (physical-lines.ts). A record ends at a line feed outside quotes: in a file the parser accepted,
 * every quote opens or closes a quoted field or is one of a doubled pair, so counting quotes tells
 * whether a line feed is inside a field. A blank line is a record of its own here, numbered as the
 * parser counts the blank line it skips. Streams: only the current record is held. A UTF-8
 * byte-order mark is dropped; a trailing CR is not part of the record.
 */
export async function* readRawRecords(source: AsyncIterable<Buffer | string>): AsyncGenerator<RawRecord> {
  const decoder = new TextDecoder('utf-8');
  const lines = createPhysicalLines();
  let pending = '';
  let record = '';
  let recordLines = 0;
  let inQuotes = false;

  const numberRecord = (): number => {
    const lineNumber = lines.take(0, recordLines - 1);
    recordLines = 0;
    return lineNumber;
  };

  const takeLine = (line: string): RawRecord | null => {
    if (recordLines > 0 && record.length < MAX_ORIGINAL_CHARACTERS) record += '\n';
    recordLines += 1;
    if (record.length < MAX_ORIGINAL_CHARACTERS) record += line.slice(0, MAX_ORIGINAL_CHARACTERS - record.length);
    inQuotes = quotesAreOdd(line) !== inQuotes;
    if (inQuotes) return null;
    const done = { lineNumber: numberRecord(), text: record.endsWith('\r') ? record.slice(0, -1) : record };
    record = '';
    return done;
  };

  for await (const chunk of source) {
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let start = 0;
    let end = pending.indexOf('\n');
    while (end !== -1) {
      const done = takeLine(pending.slice(start, end));
      if (done !== null) yield done;
      start = end + 1;
      end = pending.indexOf('\n', start);
    }
    pending = pending.slice(start);
  }
  pending += decoder.decode();
  if (pending !== '' || record !== '' || inQuotes) {
    const done = takeLine(pending);
    if (done !== null) yield done;
    else if (record !== '') yield { lineNumber: numberRecord(), text: record };
  }
}

function quotesAreOdd(line: string): boolean {
  let odd = false;
  let index = line.indexOf('"');
  while (index !== -1) {
    odd = !odd;
    index = line.indexOf('"', index + 1);
  }
  return odd;
}
