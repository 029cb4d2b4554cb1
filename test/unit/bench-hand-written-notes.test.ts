import { describe, expect, it } from '@jest/globals';
import { HAND_WRITTEN_HEADING, handWrittenNotes, withHandWrittenNotes } from '../../src/bench/hand-written-notes.ts';

const notes = `${HAND_WRITTEN_HEADING}\n\n- **Rows per COPY**: measured by hand.\n`;

describe('the hand-written part of BENCHMARKS.md', () => {
  it('is carried over below a freshly rendered report', () => {
    const previous = `# PipeForge benchmarks\n\nold numbers\n\n${notes}`;
    expect(withHandWrittenNotes('# PipeForge benchmarks\n\nnew numbers\n', previous)).toBe(
      `# PipeForge benchmarks\n\nnew numbers\n\n${notes}`,
    );
  });

  it('leaves the rendered report alone when the old one has none', () => {
    expect(withHandWrittenNotes('new\n', '# PipeForge benchmarks\n\nold\n')).toBe('new\n');
    expect(withHandWrittenNotes('new\n', '')).toBe('new\n');
  });

  it('starts only at the heading on a line of its own', () => {
    expect(handWrittenNotes(`see ${HAND_WRITTEN_HEADING} below\n`)).toBe('');
    expect(handWrittenNotes(`x\n${notes}`)).toBe(notes);
  });
});
