/** A record as written in the file: the physical line it starts on and its text, line breaks included. */
export type RawRecord = { lineNumber: number; text: string };

/** Longer original text is cut: a report line is for reading, and the parser refused longer records anyway. */
export const MAX_ORIGINAL_CHARACTERS = 64 * 1024;

/**
 * Splits a CSV byte stream into its records as written, numbered by the physical line (line
 * feed) each starts on, the way readOrderLines numbers them. A record ends at a line feed outside
 * quotes: in a file the parser accepted, every quote opens or closes a quoted field or is one of
 * a doubled pair, so counting quotes tells whether a line feed is inside a field. Streams: only
 * the current record is held. A UTF-8 byte-order mark is dropped; a trailing CR is not part of
 * the record.
 */
export async function* readRawRecords(source: AsyncIterable<Buffer | string>): AsyncGenerator<RawRecord> {
  const decoder = new TextDecoder('utf-8');
  let pending = '';
  let lineNumber = 0;
  let recordStart = 1;
  let record = '';
  let inQuotes = false;

  const takeLine = (line: string): RawRecord | null => {
    lineNumber += 1;
    if (record === '' && !inQuotes) recordStart = lineNumber;
    else if (record.length < MAX_ORIGINAL_CHARACTERS) record += '\n';
    if (record.length < MAX_ORIGINAL_CHARACTERS) record += line.slice(0, MAX_ORIGINAL_CHARACTERS - record.length);
    inQuotes = quotesAreOdd(line) !== inQuotes;
    if (inQuotes) return null;
    const done = { lineNumber: recordStart, text: record.endsWith('\r') ? record.slice(0, -1) : record };
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
    else if (record !== '') yield { lineNumber: recordStart, text: record };
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
