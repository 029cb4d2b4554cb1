import { CancellationScope, isCancellation } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';

type ParseInput = Parameters<Activities['parseToStaging']>[0];
type ParseResult = Awaited<ReturnType<Activities['parseToStaging']>>;
type ParseActivities = Pick<Activities, 'parseRange' | 'finishParse'>;

/**
 * The parse of a file in `parts` byte ranges: every part is scheduled at once, so any free worker
 * takes one (each worker bounds how many activities it runs at once), then finishParse runs over
 * all staged lines. The file fails as a single parse would: with the failure of the earliest part
 * that failed, which holds the first bad record of the file. Once a part fails, the parts after it
 * cannot change that verdict and are cancelled; the ones before it still run, as one of them may
 * hold an earlier bad record.
 */
export async function parseByRanges(activities: ParseActivities, input: ParseInput, parts: number): Promise<ParseResult> {
  const scopes = Array.from({ length: parts }, () => new CancellationScope());
  const settled = await Promise.allSettled(
    scopes.map((scope, rangeIndex) =>
      scope
        .run(() => activities.parseRange({ ...input, rangeIndex }))
        .catch((error: unknown) => {
          if (!isCancellation(error)) for (const later of scopes.slice(rangeIndex + 1)) later.cancel();
          throw error;
        }),
    ),
  );
  const failures = settled.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
  // The parts this cancelled report a cancellation: the failure that caused it is the one to report.
  const failure = failures.find((error) => !isCancellation(error)) ?? failures[0];
  if (failure !== undefined) throw failure;
  let rowsRead = 0;
  for (const outcome of settled) if (outcome.status === 'fulfilled') rowsRead += outcome.value.rowsRead;
  return activities.finishParse({ ...input, rowsRead });
}
