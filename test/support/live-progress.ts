import type { LiveProgress } from '../../src/client/progress/stage-progress.ts';

/** A file's live progress for the display's tests: parsing, nothing counted yet, unless overridden. */
export const liveProgress = (overrides: Partial<LiveProgress> = {}): LiveProgress => ({
  stage: 'parse',
  fileId: 'f-1',
  rowsRead: 0,
  rowsLoaded: 0,
  rowsRejected: 0,
  ...overrides,
});
