import { createSplitPointFinder, type SplitPointFinder } from './split-points.ts';

/** The first two bytes of every gzip stream (RFC 1952). */
const GZIP_MAGIC = [0x1f, 0x8b] as const;

/**
 * Whether an object's first bytes are gzip's. Text in UTF-8 can never start this way (0x8b is a
 * continuation byte and cannot follow an ASCII one), so the test needs no help from the name.
 */
export function startsWithGzipMagic(head: Uint8Array): boolean {
  return head.length >= GZIP_MAGIC.length && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
}

export const GZIP_MAGIC_LENGTH = GZIP_MAGIC.length;

/**
 * The split points of a stored object whichever form it has: those of a plain CSV file, none for a
 * gzip one. A compressed stream cannot be entered in the middle (each part would have to inflate
 * everything before it), so a gzip file is always parsed whole, as one part.
 */
export function createStoredObjectSplitPointFinder(spacing: number): SplitPointFinder {
  const plain = createSplitPointFinder(spacing);
  // The first bytes wait here until there are enough of them to tell the two forms apart.
  let head: Buffer | null = Buffer.alloc(0);
  let compressed = false;
  return {
    push(chunk) {
      if (compressed) return;
      if (head === null) {
        plain.push(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      if (head.length < GZIP_MAGIC_LENGTH) return;
      compressed = startsWithGzipMagic(head);
      if (!compressed) plain.push(head);
      head = null;
    },
    finish() {
      if (compressed) return [];
      if (head !== null && head.length > 0) plain.push(head);
      return plain.finish();
    },
  };
}
