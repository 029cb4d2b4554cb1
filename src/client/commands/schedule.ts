import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import { loadTemporalConfig, type TemporalConfig } from '../../config.ts';
import {
  AGGREGATE_SCHEDULE_OVERLAP,
  listAggregateSchedules,
  scheduleView,
  upsertAggregateSchedule,
  type ScheduleCadence,
} from '../aggregate-schedules.ts';
import { aggregationRangeFromArgs, describeRange } from '../aggregation-range-args.ts';
import { isKnownTimeZone } from '../../domain/zone-time.ts';
import { UsageError } from '../../errors.ts';
import { businessTimeZone } from '../business-time-zone.ts';
import { CommandError } from '../command-error.ts';
import { groupRunner } from '../command-line/run.ts';
import { SCHEDULE } from '../command-specs/aggregation.ts';
import { formatTable, out } from '../output.ts';
import { ensureReachable, temporalEndpoint } from '../reachability.ts';
import { connectClient } from '../temporal-client.ts';

/** A client for one subcommand; a schedule that does not exist is one line, not a stack. */
async function withClient(name: string | null, work: (client: Client, temporal: TemporalConfig) => Promise<number>): Promise<number> {
  const temporal = loadTemporalConfig();
  await ensureReachable(temporalEndpoint(temporal));
  const client = await connectClient(temporal);
  try {
    return await work(client, temporal);
  } catch (error) {
    if (error instanceof ScheduleNotFoundError && name !== null) {
      throw new CommandError(`no schedule named ${name}; \`pipeforge schedule list\` lists them`, { cause: error });
    }
    throw error;
  } finally {
    await client.connection.close();
  }
}

/** A one-word action on a schedule: pause, unpause, trigger, delete. */
function simpleAction(action: (handle: ReturnType<Client['schedule']['getHandle']>) => Promise<void>, done: string) {
  return async ({ args }: { args: { name: string } }) =>
    withClient(args.name, async (client) => {
      await action(client.schedule.getHandle(args.name));
      out.line(`schedule ${args.name} ${done}`);
      return 0;
    });
}

/** Temporal Schedules that run AggregateSalesWorkflow; `create` on an existing name updates it. */
export const scheduleCommand = groupRunner('schedule', SCHEDULE, {
  create: async ({ values, args }) => {
    const zone = businessTimeZone();
    const timeZone = values.tz ?? zone;
    if (!isKnownTimeZone(timeZone)) throw new UsageError(`--tz ${timeZone} is not an IANA time zone such as Africa/Nairobi`);
    // A schedule without a range keeps yesterday and today fresh: late and corrected orders land there.
    const range =
      values.from === undefined && values.to === undefined && values['last-days'] === undefined
        ? { lastDays: 2, timeZone: zone }
        : aggregationRangeFromArgs(values, zone);
    const cadence = cadenceFromArgs(values.cron, values.every);
    return withClient(null, async (client, temporal) => {
      const outcome = await upsertAggregateSchedule(client, { name: args.name, cadence, timeZone, range, taskQueue: temporal.taskQueue }).catch(
        (error: unknown) => {
          // The server's verdict on the spec (e.g. "Minute is not in range [0-59]"), raised by the client as a TypeError.
          if (error instanceof TypeError && 'cron' in cadence) throw new UsageError(`--cron ${JSON.stringify(cadence.cron)}: ${error.message}`);
          throw error;
        },
      );
      out.line(
        `schedule ${args.name} ${outcome}: ${'cron' in cadence ? `cron "${cadence.cron}"` : `every ${cadence.every}`} in ${timeZone}, ` +
          `recomputing ${describeRange(range)} (overlap ${AGGREGATE_SCHEDULE_OVERLAP})`,
      );
      return 0;
    });
  },
  list: async ({ values }) =>
    withClient(null, async (client) => {
      const views = (await listAggregateSchedules(client)).map(scheduleView);
      if (values.json) {
        out.json(views);
        return 0;
      }
      out.line(
        formatTable(
          views.map((view) => ({
            name: view.name,
            cadence: view.cadence,
            tz: view.timeZone,
            range: view.range,
            state: view.paused ? 'paused' : 'active',
            'next (UTC)': view.nextRuns[0]?.replace('T', ' ').slice(0, 16) ?? null,
            runs: view.actionsTaken,
          })),
        ),
      );
      return 0;
    }),
  describe: async ({ values, args }) =>
    withClient(args.name, async (client) => {
      const view = scheduleView(await client.schedule.getHandle(args.name).describe());
      if (values.json) out.json(view);
      else for (const line of describeLines(view)) out.line(line);
      return 0;
    }),
  pause: simpleAction((handle) => handle.pause('paused with pipeforge schedule pause'), 'paused'),
  unpause: simpleAction((handle) => handle.unpause('unpaused with pipeforge schedule unpause'), 'unpaused'),
  // The schedule's own overlap policy: a trigger during a run queues behind it, not beside it.
  trigger: simpleAction((handle) => handle.trigger(AGGREGATE_SCHEDULE_OVERLAP), 'triggered'),
  delete: simpleAction((handle) => handle.delete(), 'deleted'),
});

const ISO_TIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?Z$/;

/** A value as a person reads it: times without the ISO punctuation, lists one item a line. */
function describeValue(value: unknown): string[] {
  if (Array.isArray(value)) return value.length === 0 ? ['(none)'] : value.flatMap(describeValue);
  if (typeof value === 'object' && value !== null) return [Object.values(value).flatMap(describeValue).join('  ')];
  const text = String(value);
  const time = ISO_TIME.exec(text);
  return [time ? `${time[1]} ${time[2]} UTC` : text];
}

function describeLines(view: Record<string, unknown>): string[] {
  const width = Math.max(...Object.keys(view).map((key) => key.length));
  return Object.entries(view).flatMap(([key, value]) =>
    describeValue(value).map((line, index) => `${(index === 0 ? key : '').padEnd(width)}  ${line}`),
  );
}

function cadenceFromArgs(cron: string | undefined, every: string | undefined): ScheduleCadence {
  if ((cron === undefined) === (every === undefined)) throw new UsageError('give exactly one of --cron EXPR and --every DURATION');
  return cron !== undefined ? { cron } : { every: every ?? '' };
}
