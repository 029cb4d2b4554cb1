import { Context } from '@temporalio/activity';
import type { Logger } from '../logger.ts';

const LOG_METHODS = new Set<PropertyKey>(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'child']);

/** The ids of the activity running on this async path, or nothing outside an activity. */
function activityBindings(): Record<string, string | number> | undefined {
  try {
    const { info } = Context.current();
    return { workflowId: info.workflowExecution?.workflowId ?? '', activity: info.activityType, attempt: info.attempt };
  } catch {
    return undefined;
  }
}

/**
 * A logger whose lines carry the workflow id, activity and attempt of the activity that logs them
 * (activities receive one logger at creation but run for many workflows). Activities add the file
 * id and stage themselves.
 */
export function activityContextLogger(base: Logger): Logger {
  return new Proxy(base, {
    get(target, property, receiver) {
      if (!LOG_METHODS.has(property)) return Reflect.get(target, property, receiver) as unknown;
      return (...args: unknown[]) => {
        const bindings = activityBindings();
        const logger = bindings ? target.child(bindings) : target;
        return (Reflect.get(logger, property) as (...a: unknown[]) => unknown).apply(logger, args);
      };
    },
  });
}
