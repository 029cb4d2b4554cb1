import { createAggregateDays } from './aggregate-days.ts';
import type { ActivityDeps } from './deps.ts';
import { createHashAndClaim } from './hash-and-claim.ts';
import { createLoadFromStaging } from './load-from-staging.ts';
import { createParseToStaging } from './parse-to-staging.ts';
import { createRecordOutcome } from './record-outcome.ts';

export type { ActivityDeps };

/** Every activity the worker registers; workflows import this module's type only. */
export function createActivities(deps: ActivityDeps) {
  return {
    hashAndClaim: createHashAndClaim(deps),
    parseToStaging: createParseToStaging(deps),
    loadFromStaging: createLoadFromStaging(deps),
    aggregateDays: createAggregateDays(deps),
    ...createRecordOutcome(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
