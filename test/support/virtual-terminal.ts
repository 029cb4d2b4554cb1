/**
 * The little of a terminal that the progress display relies on, to check what a person would see:
 * printable characters with automatic wrap at the right margin (delayed, as xterm does: the wrap
 * happens when a character is written past the margin), CR, LF, ESC[2K (clear the line), ESC[J
 * (clear from the cursor to the end of the screen) and ESC[nA (cursor up, stopping at the top). Anything else in the input fails the test.
 */
export type VirtualTerminal = { write(text: string): void; screen(): string[]; longestWrite(): number };

export function createVirtualTerminal(columns: number): VirtualTerminal {
  const rows: string[][] = [[]];
  let row = 0;
  let column = 0;
  let pendingWrap = false;
  let longest = 0;

  const line = (index: number): string[] => {
    while (rows.length <= index) rows.push([]);
    return rows[index] as string[];
  };

  return {
    write(text) {
      let run = 0;
      for (let index = 0; index < text.length; ) {
        const escape = /^\u001b\[(\d*)([AJK])/.exec(text.slice(index));
        if (escape) {
          const [whole, count = '', command] = escape;
          if (command === 'A') row = Math.max(0, row - (count === '' ? 1 : Number(count)));
          else if (command === 'J' && count === '') {
            rows[row] = (rows[row] ?? []).slice(0, column);
            rows.length = row + 1;
          } else if (command === 'K' && count === '2') rows[row] = [];
          else throw new Error(`unexpected escape ${JSON.stringify(whole)}`);
          pendingWrap = false;
          index += whole.length;
          continue;
        }
        const character = String.fromCodePoint(text.codePointAt(index) ?? 0);
        index += character.length;
        if (character === '\r') {
          column = 0;
          pendingWrap = false;
          run = 0;
        } else if (character === '\n') {
          row += 1;
          line(row);
          pendingWrap = false;
          run = 0;
        } else if (character === '\u001b') {
          throw new Error(`unexpected escape at ${JSON.stringify(text.slice(index - 1, index + 8))}`);
        } else {
          if (pendingWrap) {
            row += 1;
            column = 0;
            pendingWrap = false;
          }
          line(row)[column] = character;
          run += 1;
          longest = Math.max(longest, run);
          if (column === columns - 1) pendingWrap = true;
          else column += 1;
        }
      }
    },
    screen() {
      const text = rows.map((cells) => Array.from(cells, (cell) => cell ?? ' ').join('').trimEnd());
      while (text.length > 0 && text.at(-1) === '') text.pop();
      return text;
    },
    longestWrite: () => longest,
  };
}
