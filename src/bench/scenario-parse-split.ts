import type { ParseSplitResult, SizeResult } from './bench-results.ts';

/**
 * The parse of one file as one activity (its first load's parseToStaging time) and split over two
 * activities. The parse is one activity per file so far: the second number stays null until a
 * file's parse can run as several activities; then this is where the bench ingests a fresh copy of
 * the file with the parse split in two and takes that run's parseToStaging time.
 */
export function parseSplitOf(firstLoad: SizeResult): ParseSplitResult {
  return { rows: firstLoad.rows, oneActivitySeconds: firstLoad.timings.stages.parseToStaging, twoActivitiesSeconds: null };
}
